import { useMutation } from '@apollo/client/react';
import { type FormEvent, useState } from 'react';
import { useTollgate } from '@tollgate/client/react';
import { graphql } from '../gql';
import { ErrorMessage } from './ErrorMessage';

const ChangePassword = graphql(`
  mutation ChangePassword($currentPassword: String, $newPassword: String!) {
    changePassword(currentPassword: $currentPassword, newPassword: $newPassword) {
      accessToken
      deviceToken
      user {
        id
        email
        username
        hasPassword
      }
    }
  }
`);

const RequestEmailChange = graphql(`
  mutation RequestEmailChange($newEmail: String!, $currentPassword: String) {
    requestEmailChange(newEmail: $newEmail, currentPassword: $currentPassword)
  }
`);

/** A wrong current password is not a failed sign-in: said so here, still chosen by code. */
const explain = { INVALID_CREDENTIALS: 'Your current password is not right.' };

/**
 * Changes (or, for an account made with Google or GitHub, sets) the password. Tollgate ends every session
 * and hands this one new tokens: this tab carries on, every other device is signed out.
 */
export function ChangePasswordForm({ hasPassword }: { hasPassword: boolean }) {
  const tollgate = useTollgate();
  const [change, { data, loading, error }] = useMutation(ChangePassword);
  const [form, setForm] = useState({ current: '', next: '' });
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const variables = { currentPassword: hasPassword ? form.current : null, newPassword: form.next };
    await tollgate.tokens.replace(async () => {
      const { data } = await change({ variables }).catch(() => ({ data: undefined }));
      if (!data) return null;
      tollgate.deviceTokens.keep(data.changePassword.deviceToken, data.changePassword.user);
      setForm({ current: '', next: '' });
      return data.changePassword.accessToken;
    });
  };
  return (
    <form onSubmit={submit} className="card" aria-labelledby="change-password">
      <h2 id="change-password">{hasPassword ? 'Change password' : 'Set a password'}</h2>
      {hasPassword && (
        <label>
          Current password
          <input
            type="password"
            autoComplete="current-password"
            required
            value={form.current}
            onChange={(e) => setForm({ ...form, current: e.target.value })}
          />
        </label>
      )}
      <label>
        New password
        <input
          type="password"
          autoComplete="new-password"
          required
          minLength={8}
          value={form.next}
          onChange={(e) => setForm({ ...form, next: e.target.value })}
        />
      </label>
      <ErrorMessage error={error} explain={explain} />
      {data && !error && (
        <p className="notice" role="status">
          Password changed. Every other device was signed out; this one stays signed in.
        </p>
      )}
      <button type="submit" disabled={loading}>
        {hasPassword ? 'Change password' : 'Set password'}
      </button>
    </form>
  );
}

/** Asks for a confirmation link at the new address; the account moves only when that link is opened. */
export function ChangeEmailForm({ hasPassword }: { hasPassword: boolean }) {
  const [request, { data, loading, error }] = useMutation(RequestEmailChange);
  const [form, setForm] = useState({ newEmail: '', current: '' });
  const [asked, setAsked] = useState('');
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const variables = { newEmail: form.newEmail, currentPassword: hasPassword ? form.current : null };
    const { data } = await request({ variables }).catch(() => ({ data: undefined }));
    if (!data) return;
    setAsked(form.newEmail);
    setForm({ newEmail: '', current: '' });
  };
  return (
    <form onSubmit={submit} className="card" aria-labelledby="change-email">
      <h2 id="change-email">Change email</h2>
      <label>
        New email
        <input
          type="email"
          autoComplete="email"
          required
          value={form.newEmail}
          onChange={(e) => setForm({ ...form, newEmail: e.target.value })}
        />
      </label>
      {hasPassword && (
        <label>
          Current password
          <input
            type="password"
            autoComplete="current-password"
            required
            value={form.current}
            onChange={(e) => setForm({ ...form, current: e.target.value })}
          />
        </label>
      )}
      <ErrorMessage error={error} explain={explain} />
      {data && !error && (
        // Tollgate answers alike whether or not the address is taken; so does this sentence.
        <p className="notice" role="status">
          If <strong>{asked}</strong> can be used, a link to confirm it is on its way there. Your address changes when you open
          it; every device is then signed out.
        </p>
      )}
      <button type="submit" disabled={loading}>
        Send the confirmation link
      </button>
    </form>
  );
}
