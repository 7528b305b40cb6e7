import { useTollgate } from '@tollgate/client/react';
import { type ChangeEvent, type FormEvent, useState } from 'react';
import { Link, navigate } from '../router';
import { ErrorMessage } from './ErrorMessage';

export function SignUp() {
  const tollgate = useTollgate();
  const [form, setForm] = useState({ email: '', username: '', password: '' });
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const field = (name: keyof typeof form) => ({
    name,
    value: form[name],
    onChange: (e: ChangeEvent<HTMLInputElement>) => setForm({ ...form, [name]: e.target.value }),
  });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setPending(true);
    setError(null);
    try {
      await tollgate.register({ email: form.email, password: form.password, username: form.username || null });
      navigate('/');
    } catch (e) {
      setError(e);
    } finally {
      setPending(false);
    }
  };

  return (
    <form onSubmit={submit} className="card">
      <h2>Create an account</h2>
      <label>
        Email
        <input type="email" autoComplete="email" required {...field('email')} />
      </label>
      <label>
        Username <small>(optional)</small>
        <input autoComplete="username" {...field('username')} />
      </label>
      <label>
        Password
        <input type="password" autoComplete="new-password" required minLength={8} {...field('password')} />
      </label>
      <ErrorMessage error={error} />
      <button type="submit" disabled={pending}>
        Sign up
      </button>
      <p>
        Have an account? <Link to="/sign-in">Sign in</Link>
      </p>
    </form>
  );
}
