import { useMutation } from '@apollo/client/react';
import { type ChangeEvent, type FormEvent, useState } from 'react';
import { keepDeviceToken } from '../auth/device-tokens';
import { useSession } from '../auth/use-session';
import { graphql } from '../gql';
import { Link, navigate } from '../router';
import { ErrorMessage } from './ErrorMessage';

// Tollgate answers one of two ways, by its SIGNUP_MODE: open signs the new account in at once;
// verify-first answers RegistrationPending for every address, new or already registered, and sign-in
// waits for the link mailed to it. Handle both, so the app works against either server.
const Register = graphql(`
  mutation Register($input: RegisterInput!) {
    register(input: $input) {
      __typename
      ... on AuthPayload {
        accessToken
        deviceToken
        user {
          email
          username
        }
      }
      ... on RegistrationPending {
        email
      }
    }
  }
`);

export function SignUp() {
  const session = useSession();
  const [register, { loading, error }] = useMutation(Register);
  const [form, setForm] = useState({ email: '', username: '', password: '' });
  const [pendingEmail, setPendingEmail] = useState<string | null>(null);
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
    const result = data.register;
    if (result.__typename === 'RegistrationPending') {
      setPendingEmail(result.email);
      return;
    }
    keepDeviceToken(result.deviceToken, result.user);
    session.signedIn(result.accessToken);
    navigate('/');
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
      <button type="submit" disabled={loading}>
        Sign up
      </button>
      <p>
        Have an account? <Link to="/sign-in">Sign in</Link>
      </p>
    </form>
  );
}
