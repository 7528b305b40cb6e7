import { useMutation } from '@apollo/client/react';
import { type ReactNode, useEffect, useRef } from 'react';
import { useAuthState, useTollgate } from '@tollgate/client/react';
import { errorInfo } from '../errors';
import { graphql } from '../gql';
import { useMailedToken } from '../mail-link';
import { Link } from '../router';
import { ErrorMessage } from './ErrorMessage';
import { NoToken } from './VerifyEmail';

const ConfirmEmailChange = graphql(`
  mutation ConfirmEmailChange($token: String!) {
    confirmEmailChange(token: $token) {
      id
      email
      emailVerified
    }
  }
`);

/** /confirm-email-change?token=…, the link mailed to the new address after a change asked for on the profile. */
export function ConfirmEmailChangePage() {
  const token = useMailedToken();
  const tollgate = useTollgate();
  const auth = useAuthState();
  const [confirm, { data, error }] = useMutation(ConfirmEmailChange);
  const sent = useRef(false);
  const signedIn = auth.status === 'signed-in';
  useEffect(() => {
    if (!token || sent.current) return;
    sent.current = true;
    confirm({ variables: { token } }).then(
      // Tollgate has ended every session of the account: this browser's tabs sign out with them.
      () => {
        if (tollgate.tokens.getState().status === 'signed-in') tollgate.tokens.signedOut();
      },
      () => undefined,
    );
  }, [token, confirm, tollgate]);

  let body: ReactNode;
  if (!token) body = <NoToken />;
  else if (data) {
    body = (
      <>
        <p className="notice" role="status">
          Your account now uses <strong>{data.confirmEmailChange.email}</strong>. Every session was signed out, on every device:
          sign in with your new address.
        </p>
        <Link to="/sign-in">Sign in</Link>
      </>
    );
  } else if (error) {
    body = (
      <>
        <ErrorMessage error={error} />
        {errorInfo(error)?.code === 'INVALID_TOKEN' && (
          <p>
            {signedIn ? <Link to="/">Ask again from your profile</Link> : <Link to="/sign-in">Sign in</Link>} for a new link
            {signedIn ? '' : ', from your profile'}.
          </p>
        )}
      </>
    );
  } else body = <p className="loading">Checking your link…</p>;
  return (
    <section className="card stack">
      <h2>Confirm your new email address</h2>
      {body}
    </section>
  );
}
