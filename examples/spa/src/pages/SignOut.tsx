import { useTollgate } from '@tollgate/client/react';
import { useState } from 'react';
import { navigate } from '../router';
import { ErrorMessage } from './ErrorMessage';

/** Sign out of this device, or of every device; the other tabs follow either way. */
export function SignOut() {
  const tollgate = useTollgate();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const signOut = async (allSessions: boolean) => {
    setPending(true);
    setError(null);
    try {
      // A session that had already ended counts as signed out; any other refusal keeps it, and is shown.
      await tollgate.logout({ allSessions });
      navigate('/sign-in');
    } catch (e) {
      setError(e);
    } finally {
      setPending(false);
    }
  };

  return (
    <div className="sign-out">
      <button type="button" disabled={pending} onClick={() => void signOut(false)}>
        Sign out
      </button>
      <button type="button" className="secondary" disabled={pending} onClick={() => void signOut(true)}>
        Sign out everywhere
      </button>
      <ErrorMessage error={error} />
    </div>
  );
}
