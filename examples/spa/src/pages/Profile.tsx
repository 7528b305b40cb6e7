import { useQuery } from '@apollo/client/react';
import { formatDateTime } from '../format';
import { graphql } from '../gql';
import { ChangeEmailForm, ChangePasswordForm } from './AccountForms';
import { EmailStatus } from './EmailStatus';
import { ErrorMessage } from './ErrorMessage';

export const Me = graphql(`
  query Me {
    me {
      id
      email
      emailVerified
      hasPassword
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
    <>
      <dl className="card facts">
        <dt>Email</dt>
        <dd className="email">
          <span data-testid="email">{me.email}</span>
          <EmailStatus verified={me.emailVerified} />
        </dd>
        <dt>Username</dt>
        <dd>{me.username ?? '—'}</dd>
        <dt>Plan</dt>
        <dd>{me.tier}</dd>
        <dt>Member since</dt>
        <dd>{formatDateTime(me.createdAt)}</dd>
        <dt>Last sign-in</dt>
        <dd>{formatDateTime(me.lastLoginAt)}</dd>
      </dl>
      <div className="columns">
        <ChangeEmailForm hasPassword={me.hasPassword} />
        <ChangePasswordForm hasPassword={me.hasPassword} />
      </div>
    </>
  );
}
