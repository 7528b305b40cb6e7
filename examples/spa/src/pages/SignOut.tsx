import { useMutation } from '@apollo/client/react';
import { useSession } from '../auth/use-session';
import { errorExtensions } from '../errors';
import { graphql } from '../gql';
import { navigate } from '../router';
import { ErrorMessage } from './ErrorMessage';

const Logout = graphql(`
  mutation Logout($allSessions: Boolean) {
    logout(allSessions: $allSessions)
  }
`);

/** Sign out of this device, or of every device; the other tabs follow either way. */
export function SignOut() {
  const session = useSession();
  const [logout, { loading, error }] = useMutation(Logout);

  const signOut = async (allSessions: boolean) => {
    try {
      await logout({ variables: { allSessions } });
    } catch (e) {
      // Already signed out on the server is as good as signing out now; anything else is shown.
      if (errorExtensions(e)?.code !== 'UNAUTHENTICATED') return;
    }
    session.signedOut();
    navigate('/sign-in');
  };

  return (
    <div className="sign-out">
      <button type="button" disabled={loading} onClick={() => void signOut(false)}>
        Sign out
      </button>
      <button type="button" className="secondary" disabled={loading} onClick={() => void signOut(true)}>
        Sign out everywhere
      </button>
      <ErrorMessage error={error} />
    </div>
  );
}
