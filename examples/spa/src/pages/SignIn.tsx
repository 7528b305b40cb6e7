import { useMutation } from '@apollo/client/react';
import { type FormEvent, useState } from 'react';
import { deviceTokenFor, keepDeviceToken } from '../auth/device-tokens';
import { useSession } from '../auth/use-session';
import { graphql } from '../gql';
import { Link, navigate } from '../router';
import { ErrorMessage } from './ErrorMessage';
import { OAuthButtons } from './OAuth';

const Login = graphql(`
  mutation Login($input: LoginInput!) {
    login(input: $input) {
      accessToken
      deviceToken
      user {
        email
        username
      }
    }
  }
`);

export function SignIn() {
  const session = useSession();
  const [login, { loading, error }] = useMutation(Login);
  const [identifier, setIdentifier] = useState('');
  const [password, setPassword] = useState('');

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const input = { identifier, password, deviceToken: deviceTokenFor(identifier) };
    const { data } = await login({ variables: { input } }).catch(() => ({ data: undefined }));
    if (!data) return;
    keepDeviceToken(data.login.deviceToken, data.login.user);
    session.signedIn(data.login.accessToken);
    navigate('/');
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
      <button type="submit" disabled={loading}>
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
