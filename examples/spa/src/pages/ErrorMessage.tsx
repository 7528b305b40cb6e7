import { describeError, errorInfo } from '../errors';

/**
 * An error as a sentence; `data-code` carries Tollgate's code for styling and tests. `explain` words a
 * code for the screen at hand (a wrong current password is not a failed sign-in); still chosen by code.
 */
export function ErrorMessage({ error, explain = {} }: { error: unknown; explain?: Record<string, string> }) {
  if (!error) return null;
  const code = errorInfo(error)?.code ?? 'NETWORK';
  return (
    <p role="alert" className="error" data-code={code}>
      {explain[code] ?? describeError(error)}
    </p>
  );
}
