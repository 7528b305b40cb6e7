import { useQuery } from '@apollo/client/react';
import { formatDateTime } from '../format';
import { graphql } from '../gql';
import { ErrorMessage } from './ErrorMessage';

export const Me = graphql(`
  query Me {
    me {
      id
      email
      username
      tier
      createdAt
      lastLoginAt
    }
  }
`);

export function Profile() {
  const { data, error } = useQuery(Me);
  if (error) return <ErrorMessage error={error} />;
  if (!data) return <p className="loading">Loading…</p>;
  const { me } = data;
  return (
    <dl className="card facts">
      <dt>Email</dt>
      <dd data-testid="email">{me.email}</dd>
      <dt>Username</dt>
      <dd>{me.username ?? '—'}</dd>
      <dt>Plan</dt>
      <dd>{me.tier}</dd>
      <dt>Member since</dt>
      <dd>{formatDateTime(me.createdAt)}</dd>
      <dt>Last sign-in</dt>
      <dd>{formatDateTime(me.lastLoginAt)}</dd>
    </dl>
  );
}
