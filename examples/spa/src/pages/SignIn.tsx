import { useTollgate } from '@tollgate/client/react';
import { type FormEvent, useState } from 'react';
import { Link, navigate } from '../router';
import { ErrorMessage } from './ErrorMessage';
import { OAuthButtons } from './OAuth';

export function SignIn() {
  const tollgate = useTollgate();
  const [identifier, setIdentifier] = useState('');
  const [password, setPassword] = useState('');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setPending(true);
    setError(null);
    try {
      // Sends this browser's device token for the account and keeps the new one: @tollgate/client's job.
      const result = await tollgate.login({ identifier, password });
      if (result.status === 'signed-in') navigate('/');
    } catch (e) {
      setError(e);
    } finally {
      setPending(false);
    }
  };

  return (
    <form onSubmit={submit} className="card">
      <h2>Sign in</h2>
      <label>
        Email or username
        <input
          name="identifier"
          autoComplete="username"
          required
          value={identifier}
          onChange={(e) => setIdentifier(e.target.value)}
        />
      </label>
      <label>
        Password
        <input
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </label>
      <ErrorMessage error={error} />
      <button type="submit" disabled={pending}>
        Sign in
      </button>
      <Link to="/forgot-password">Forgot password?</Link>
      <OAuthButtons />
      <p>
        New here? <Link to="/sign-up">Create an account</Link>
      </p>
    </form>
  );
}
