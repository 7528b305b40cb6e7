import { useMutation, useQuery } from '@apollo/client/react';
import { formatDateTime } from '../format';
import { graphql } from '../gql';
import { ErrorMessage } from './ErrorMessage';

const MySessions = graphql(`
  query MySessions {
    me {
      id
      sessions {
        id
        current
        userAgent
        ip
        createdAt
        lastUsedAt
        expiresAt
      }
    }
  }
`);

const RevokeSession = graphql(`
  mutation RevokeSession($id: ID!) {
    revokeSession(id: $id)
  }
`);

/** Every device signed in to the account; revoking one signs it out at once (its live socket closes). */
export function Sessions() {
  const { data, error } = useQuery(MySessions, { fetchPolicy: 'cache-and-network' });
  const [revoke, revoking] = useMutation(RevokeSession, { refetchQueries: [MySessions] });
  if (error) return <ErrorMessage error={error} />;
  if (!data) return <p className="loading">Loading…</p>;
  return (
    <>
      <ErrorMessage error={revoking.error} />
      <table className="card">
        <thead>
          <tr>
            <th>Device</th>
            <th>Address</th>
            <th>Signed in</th>
            <th>Last used</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {data.me.sessions.map((s) => (
            <tr key={s.id} data-session={s.id} data-current={s.current}>
              <td className="agent">{describeAgent(s.userAgent)}</td>
              <td>{s.ip ?? '—'}</td>
              <td>{formatDateTime(s.createdAt)}</td>
              <td>{formatDateTime(s.lastUsedAt)}</td>
              <td>
                {s.current ? (
                  <span className="badge">This device</span>
                ) : (
                  <button
                    type="button"
                    className="secondary"
                    disabled={revoking.loading}
                    onClick={() => void revoke({ variables: { id: s.id } }).catch(() => undefined)}
                  >
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function describeAgent(userAgent: string | null | undefined): string {
  if (!userAgent) return 'Unknown device';
  const browser = /(Firefox|Edg|Chrome|Safari)\/[\d.]+/.exec(userAgent)?.[0] ?? 'Browser';
  const system = /\(([^;)]+)/.exec(userAgent)?.[1] ?? '';
  return system ? `${browser} on ${system}` : browser;
}
