import { useQuery } from '@apollo/client/react';
import { useLastBudget } from '../budget';
import { formatTime } from '../format';
import { graphql } from '../gql';
import { ErrorMessage } from './ErrorMessage';

const RateLimitStatus = graphql(`
  query RateLimitStatus {
    rateLimitStatus {
      tier
      limits {
        field
        limit
        used
        remaining
        windowSeconds
        resetAt
      }
    }
  }
`);

/** The caller's budget per field (which asking for costs a little of its own), and the last response's headers. */
export function Budget() {
  const { data, error, refetch, loading } = useQuery(RateLimitStatus, {
    fetchPolicy: 'network-only',
    notifyOnNetworkStatusChange: true,
  });
  const last = useLastBudget();
  return (
    <>
      <section className="card">
        <h2>Last request</h2>
        {last ? (
          <p data-testid="last-budget">
            <code>{last.operation}</code>: {last.remaining} of {last.limit} left, renewed at {formatTime(last.resetAt)}
            {last.retryAfter !== null && <> — refused, retry after {last.retryAfter} s</>}
          </p>
        ) : (
          <p className="muted">No rate-limited request yet.</p>
        )}
        <button type="button" disabled={loading} onClick={() => void refetch().catch(() => undefined)}>
          Check again
        </button>
        <ErrorMessage error={error} />
      </section>
      {data && (
        <table className="card">
          <caption>
            Budget of a <strong>{data.rateLimitStatus.tier}</strong> account
          </caption>
          <thead>
            <tr>
              <th>Field</th>
              <th>Used</th>
              <th>Window</th>
              <th>Renews</th>
            </tr>
          </thead>
          <tbody>
            {data.rateLimitStatus.limits.map((l) => (
              <tr key={l.field}>
                <td>
                  <code>{l.field}</code>
                </td>
                <td>
                  <meter min={0} max={l.limit} value={l.used} /> {l.used} / {l.limit}
                </td>
                <td>{l.windowSeconds} s</td>
                <td>{formatTime(new Date(l.resetAt))}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
