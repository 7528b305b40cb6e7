import { useMutation } from '@apollo/client/react';
import { type ChangeEvent, type FormEvent, useState } from 'react';
import { keepDeviceToken } from '../auth/device-tokens';
import { useSession } from '../auth/use-session';
import { graphql } from '../gql';
import { Link, navigate } from '../router';
import { ErrorMessage } from './ErrorMessage';

const Register = graphql(`
  mutation Register($input: RegisterInput!) {
    register(input: $input) {
      accessToken
      deviceToken
      user {
        email
        username
      }
    }
  }
`);

export function SignUp() {
  const session = useSession();
  const [register, { loading, error }] = useMutation(Register);
  const [form, setForm] = useState({ email: '', username: '', password: '' });
  const field = (name: keyof typeof form) => ({
    name,
    value: form[name],
    onChange: (e: ChangeEvent<HTMLInputElement>) => setForm({ ...form, [name]: e.target.value }),
  });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const input = { email: form.email, password: form.password, username: form.username || null };
    const { data } = await register({ variables: { input } }).catch(() => ({ data: undefined }));
    if (!data) return;
    keepDeviceToken(data.register.deviceToken, data.register.user);
    session.signedIn(data.register.accessToken);
    navigate('/');
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
      <button type="submit" disabled={loading}>
        Sign up
      </button>
      <p>
        Have an account? <Link to="/sign-in">Sign in</Link>
      </p>
    </form>
  );
}
