import { useMutation } from '@apollo/client/react';
import { type FormEvent, useState } from 'react';
import { useAuthState, useTollgate } from '@tollgate/client/react';
import { errorInfo } from '../errors';
import { graphql } from '../gql';
import { useMailedToken } from '../mail-link';
import { Link } from '../router';
import { ErrorMessage } from './ErrorMessage';
import { NoToken } from './VerifyEmail';

const RequestPasswordReset = graphql(`
  mutation RequestPasswordReset($email: String!) {
    requestPasswordReset(email: $email)
  }
`);

const ResetPassword = graphql(`
  mutation ResetPassword($token: String!, $newPassword: String!) {
    resetPassword(token: $token, newPassword: $newPassword)
  }
`);

/**
 * "Forgot password?" from the sign-in form. Tollgate answers alike whether or not an account has the
 * address, and so does this page: it never tells a visitor who has an account here.
 */
export function ForgotPassword() {
  const [request, { data, loading, error }] = useMutation(RequestPasswordReset);
  const [email, setEmail] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void request({ variables: { email } }).catch(() => undefined);
  };
  if (data) {
    return (
      <section className="card stack">
        <h2>Check your mail</h2>
        <p className="notice" role="status">
          If an account uses <strong>{email}</strong>, a link to choose a new password is on its way. It works once, for 30
          minutes.
        </p>
        <Link to="/sign-in">Back to sign in</Link>
      </section>
    );
  }
  return (
    <form onSubmit={submit} className="card">
      <h2>Forgot your password?</h2>
      <p className="muted">Enter the address of your account and we will mail you a link to choose a new password.</p>
      <label>
        Email
        <input type="email" name="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
      </label>
      <ErrorMessage error={error} />
      <button type="submit" disabled={loading}>
        Send the link
      </button>
      <p>
        <Link to="/sign-in">Back to sign in</Link>
      </p>
    </form>
  );
}

/** /reset-password?token=…, the link in the reset mail: a new password, then sign in with it. */
export function ResetPasswordPage() {
  const token = useMailedToken();
  const tollgate = useTollgate();
  const auth = useAuthState();
  const [reset, { data, loading, error }] = useMutation(ResetPassword);
  const [password, setPassword] = useState('');

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!token) return;
    const { data } = await reset({ variables: { token, newPassword: password } }).catch(() => ({ data: undefined }));
    // Tollgate has ended every session of the account, this browser's included: every tab follows now.
    if (data && auth.status === 'signed-in') tollgate.tokens.signedOut();
  };

  if (!token) {
    return (
      <section className="card stack">
        <h2>Choose a new password</h2>
        <NoToken />
      </section>
    );
  }
  if (data) {
    return (
      <section className="card stack">
        <h2>Password changed</h2>
        <p className="notice" role="status">
          Your new password is set. For your safety every session of your account has been signed out, on every device (this one
          included). Sign in with your new password.
        </p>
        <Link to="/sign-in">Sign in</Link>
      </section>
    );
  }
  const invalid = errorInfo(error)?.code === 'INVALID_TOKEN';
  return (
    <form onSubmit={submit} className="card">
      <h2>Choose a new password</h2>
      <label>
        New password
        <input
          type="password"
          name="newPassword"
          autoComplete="new-password"
          required
          minLength={8}
          maxLength={128}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </label>
      <p className="muted">8 to 128 characters, not a common password. Every device signed in to your account is signed out.</p>
      <ErrorMessage error={error} />
      {invalid ? (
        <Link to="/forgot-password">Ask for a new link</Link>
      ) : (
        <button type="submit" disabled={loading}>
          Set the new password
        </button>
      )}
    </form>
  );
}
