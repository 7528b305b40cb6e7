import { useMutation, useQuery } from '@apollo/client/react';
import { type ReactNode, useEffect, useRef } from 'react';
import { useAuthState } from '@tollgate/client/react';
import { errorInfo } from '../errors';
import { graphql } from '../gql';
import { useMailedToken } from '../mail-link';
import { Link } from '../router';
import { ErrorMessage } from './ErrorMessage';
import { ResendVerification } from './EmailStatus';
import { Me } from './Profile';

const VerifyEmail = graphql(`
  mutation VerifyEmail($token: String!) {
    verifyEmail(token: $token) {
      id
      email
      emailVerified
    }
  }
`);

/** /verify-email?token=…, the link in the mail sent at sign-up (and on request from the profile). */
export function VerifyEmailPage() {
  const token = useMailedToken();
  const auth = useAuthState();
  const [verify, { data, error }] = useMutation(VerifyEmail);
  // The token works once: React's development double-mount must not send it twice.
  const sent = useRef(false);
  useEffect(() => {
    if (!token || sent.current) return;
    sent.current = true;
    void verify({ variables: { token } }).catch(() => undefined);
  }, [token, verify]);

  const signedIn = auth.status === 'signed-in';
  let body: ReactNode;
  if (!token) body = <NoToken />;
  else if (data) {
    // The returned User updates the cached profile of a signed-in tab: its badge turns "Verified".
    body = (
      <>
        <p className="notice" role="status">
          Your email address <strong>{data.verifyEmail.email}</strong> is verified.
        </p>
        {signedIn ? <Link to="/">Continue to your profile</Link> : <Link to="/sign-in">Sign in</Link>}
      </>
    );
  } else if (error) {
    body = (
      <>
        <ErrorMessage error={error} />
        {errorInfo(error)?.code === 'INVALID_TOKEN' &&
          (signedIn ? (
            <NewLink />
          ) : (
            <p>
              <Link to="/sign-in">Sign in</Link> to have a new link sent from your profile.
            </p>
          ))}
      </>
    );
  } else body = <p className="loading">Checking your link…</p>;
  return (
    <section className="card stack">
      <h2>Confirm your email address</h2>
      {body}
    </section>
  );
}

/** After a refused link, signed in: a new link if the address still needs one (a used link may have done its job). */
function NewLink() {
  const { data } = useQuery(Me);
  if (!data) return null;
  if (!data.me.emailVerified) return <ResendVerification />;
  return (
    <p>
      Your address <strong>{data.me.email}</strong> is verified already. <Link to="/">Continue to your profile</Link>
    </p>
  );
}

export function NoToken() {
  return (
    <p className="error" role="alert" data-code="NO_TOKEN">
      This page opens from the link in your mail. Open that link again.
    </p>
  );
}
