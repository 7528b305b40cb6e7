import { useQuery } from '@apollo/client/react';
import { formatDateTime } from '../format';
import { graphql } from '../gql';
import { ErrorMessage } from './ErrorMessage';

const MySecurityEvents = graphql(`
  query MySecurityEvents($first: Int) {
    me {
      id
      securityEvents(first: $first) {
        id
        type
        at
        ip
        userAgent
      }
    }
  }
`);

const labels: Record<string, string> = {
  REGISTERED: 'Account created',
  LOGIN_SUCCEEDED: 'Signed in',
  LOGIN_FAILED: 'Failed sign-in',
  TOKEN_REFRESHED: 'Session renewed',
  REFRESH_TOKEN_REUSED: 'Stolen refresh token detected — session ended',
  LOGGED_OUT: 'Signed out',
  SESSION_REVOKED: 'Session revoked',
  PASSWORD_REHASHED: 'Password storage upgraded',
  OAUTH_LOGIN: 'Signed in with a provider',
  OAUTH_LINKED: 'Provider linked',
  OAUTH_UNLINKED: 'Provider unlinked',
  LOGIN_THROTTLED: 'Sign-ins paused after failed attempts',
  EMAIL_VERIFIED: 'Email address verified',
  PASSWORD_RESET: 'Password reset by mail — every session ended',
  PASSWORD_CHANGED: 'Password changed — other sessions ended',
  EMAIL_CHANGED: 'Email address changed — every session ended',
};

export function SecurityHistory() {
  const { data, error } = useQuery(MySecurityEvents, { variables: { first: 20 }, fetchPolicy: 'cache-and-network' });
  if (error) return <ErrorMessage error={error} />;
  if (!data) return <p className="loading">Loading…</p>;
  return (
    <ol className="card events">
      {data.me.securityEvents.map((event) => (
        <li key={event.id} data-type={event.type} className={event.type === 'REFRESH_TOKEN_REUSED' ? 'alarm' : undefined}>
          <strong>{labels[event.type] ?? event.type}</strong>
          <span>{formatDateTime(event.at)}</span>
          <span className="muted">{event.ip ?? ''}</span>
        </li>
      ))}
    </ol>
  );
}
