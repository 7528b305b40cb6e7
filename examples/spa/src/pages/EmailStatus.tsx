import { useMutation } from '@apollo/client/react';
import { graphql } from '../gql';
import { ErrorMessage } from './ErrorMessage';

const RequestEmailVerification = graphql(`
  mutation RequestEmailVerification {
    requestEmailVerification
  }
`);

/** The profile's word on the address: verified, or not yet, with a way to have the link sent again. */
export function EmailStatus({ verified }: { verified: boolean }) {
  return verified ? (
    <span className="badge" data-testid="email-status" data-verified="true">
      Verified
    </span>
  ) : (
    <>
      <span className="badge warning" data-testid="email-status" data-verified="false">
        Not verified
      </span>
      <ResendVerification />
    </>
  );
}

/** Sends a new verification link to the signed-in account's address; the older link stops working. */
export function ResendVerification() {
  const [resend, { data, loading, error }] = useMutation(RequestEmailVerification);
  if (data) {
    return (
      <p className="notice" role="status">
        A new link is on its way. It works once, for 24 hours.
      </p>
    );
  }
  return (
    <span className="inline-action">
      <button type="button" className="secondary" disabled={loading} onClick={() => void resend().catch(() => undefined)}>
        Resend verification mail
      </button>
      <ErrorMessage error={error} />
    </span>
  );
}
