import { describeError, errorExtensions } from '../errors';

/** An error as a sentence; `data-code` carries Tollgate's code for styling and tests. */
export function ErrorMessage({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <p role="alert" className="error" data-code={errorExtensions(error)?.code ?? 'NETWORK'}>
      {describeError(error)}
    </p>
  );
}
