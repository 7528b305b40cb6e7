import { useTollgate } from '@tollgate/client/react';
import { type ChangeEvent, type FormEvent, useState } from 'react';
import { Link, navigate } from '../router';
import { ErrorMessage } from './ErrorMessage';

// Tollgate answers one of two ways, by its SIGNUP_MODE: open signs the new account in at once;
// verify-first answers RegistrationPending for every address, new or already registered, and sign-in
// waits for the link mailed to it. The client reports which; the page handles both.
export function SignUp() {
  const tollgate = useTollgate();
  const [form, setForm] = useState({ email: '', username: '', password: '' });
  const [pending, setPending] = useState(false);
  const [pendingEmail, setPendingEmail] = useState<string | null>(null);
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
      const result = await tollgate.register({ email: form.email, password: form.password, username: form.username || null });
      if (result.status === 'verification-pending') setPendingEmail(result.email);
      else navigate('/');
    } catch (e) {
      setError(e);
    } finally {
      setPending(false);
    }
  };

  if (pendingEmail) {
    // Worded for both cases alike: the server does not say (and the app cannot know) whether the
    // address already had an account; its owner gets either a link or a notice.
    return (
      <section className="card" aria-live="polite">
        <h2>Check your mail</h2>
        <p>
          We sent a message to <strong>{pendingEmail}</strong>. Follow the link in it to confirm the address, then sign in. If the
          address already has an account, the message says so instead.
        </p>
        <p>
          <Link to="/sign-in">Sign in</Link>
        </p>
      </section>
    );
  }

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
