import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ChangePasswordDocument,
  ConfirmEmailChangeDocument,
  DeleteAccountDocument,
  LoginDocument,
  MeDocument,
  MyAccountDocument,
  MySecurityEventsDocument,
  RefreshDocument,
  RequestEmailChangeDocument,
  RequestEmailVerificationDocument,
  RequestPasswordResetDocument,
  ResetPasswordDocument,
  VerifyEmailDocument,
} from '../../src/client/generated/graphql.js';
import { codeOf } from '../helpers/graphql.js';
import { startSmtpServer, tokenIn } from '../helpers/smtp.js';
import { createTestApp, signUp, type TestApp } from '../helpers/test-app.js';

let app: TestApp;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;

beforeAll(async () => {
  smtp = await startSmtpServer();
  app = await createTestApp({
    SMTP_URL: smtp.url,
    MAIL_FROM: 'Tollgate <no-reply@tollgate.test>',
    EMAIL_VERIFY_URL: 'https://app.example.com/verify-email?token={token}',
    NOTIFY_NEW_SIGN_IN: 'false',
  });
});
afterAll(() => smtp.stop());

const mailTo = (to: string, subject: string) => smtp.waitFor((m) => m.to === to && m.subject === subject);
const login = (identifier: string, password: string) => app.execute(LoginDocument, { input: { identifier, password } });
const events = async (token: string) =>
  (await app.execute(MySecurityEventsDocument, { first: 50 }, { token })).data!.me.securityEvents.map((e) => e.type);
const alive = async (token: string) => (await app.execute(MeDocument, {}, { token })).errors === undefined;

describe('email verification', () => {
  it('mails a link at sign-up; the token verifies the address once', async () => {
    const me = await signUp(app);
    expect(me.user.emailVerified).toBe(false);
    const mail = await mailTo(me.account.email, 'Confirm your email address');
    expect(mail.text).toContain('https://app.example.com/verify-email?token=');
    expect(mail.html).toContain('<a href="https://app.example.com/verify-email?token=');
    const token = tokenIn(mail);
    expect(Buffer.from(token, 'base64url').length).toBeGreaterThanOrEqual(16);
    // Only a hash is stored.
    const stored = await app.orm.em.getConnection().execute('select token_hash from email_token');
    expect(JSON.stringify(stored)).not.toContain(token);

    const verified = await app.execute(VerifyEmailDocument, { token });
    expect(verified.data?.verifyEmail).toMatchObject({ id: me.user.id, emailVerified: true });
    expect(codeOf(await app.execute(VerifyEmailDocument, { token }))).toBe('INVALID_TOKEN');
    expect(await events(me.accessToken)).toContain('EMAIL_VERIFIED');
    expect((await app.execute(MyAccountDocument, {}, { token: me.accessToken })).data?.me).toMatchObject({
      emailVerified: true,
      hasPassword: true,
    });
  });

  it('sends again on request; a newer link replaces the older, and an expired one is refused', async () => {
    const me = await signUp(app);
    const first = tokenIn(await mailTo(me.account.email, 'Confirm your email address'));
    expect((await app.execute(RequestEmailVerificationDocument, {}, { token: me.accessToken })).data).toEqual({
      requestEmailVerification: true,
    });
    await smtp.waitFor((m) => m.to === me.account.email && tokenIn(m) !== first);
    const second = tokenIn(smtp.to(me.account.email).at(-1)!);
    expect(codeOf(await app.execute(VerifyEmailDocument, { token: first }))).toBe('INVALID_TOKEN');
    app.clock.advance(24 * 3600 * 1000 + 1000);
    try {
      expect(codeOf(await app.execute(VerifyEmailDocument, { token: second }))).toBe('INVALID_TOKEN');
    } finally {
      app.clock.advance(-(24 * 3600 * 1000 + 1000));
    }
  });

  it('refuses a token made for another purpose, and a made-up one, with the same answer', async () => {
    const me = await signUp(app);
    const verifyToken = tokenIn(await mailTo(me.account.email, 'Confirm your email address'));
    const asReset = await app.execute(ResetPasswordDocument, { token: verifyToken, newPassword: 'a brand new passphrase 1' });
    expect(codeOf(asReset)).toBe('INVALID_TOKEN');
    const madeUp = await app.execute(VerifyEmailDocument, { token: 'x'.repeat(43) });
    expect(madeUp.errors?.[0]?.message).toBe(asReset.errors?.[0]?.message);
    // The wrong-purpose attempt did not spend it.
    expect((await app.execute(VerifyEmailDocument, { token: verifyToken })).errors).toBeUndefined();
  });
});

describe('password reset', () => {
  it('sets a new password, verifies the address, ends every session and tells the owner', async () => {
    const me = await signUp(app);
    const other = (await login(me.account.email, me.account.password)).data!.login;
    expect(await app.execute(RequestPasswordResetDocument, { email: me.account.email.toUpperCase() })).toMatchObject({
      data: { requestPasswordReset: true },
    });
    const token = tokenIn(await mailTo(me.account.email, 'Reset your password'));
    const newPassword = 'a completely new passphrase 7';
    expect((await app.execute(ResetPasswordDocument, { token, newPassword })).data?.resetPassword).toBe(true);
    expect(codeOf(await app.execute(ResetPasswordDocument, { token, newPassword: `${newPassword}!` }))).toBe('INVALID_TOKEN');

    expect(await alive(me.accessToken)).toBe(false);
    expect(await alive(other.accessToken)).toBe(false);
    expect(codeOf(await app.execute(RefreshDocument, { refreshToken: other.refreshToken }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await login(me.account.email, me.account.password))).toBe('INVALID_CREDENTIALS');
    const back = (await login(me.account.email, newPassword)).data!.login;
    expect(back.user.emailVerified).toBe(true);
    expect(await events(back.accessToken)).toContain('PASSWORD_RESET');
    await mailTo(me.account.email, 'Your password was changed');
  });

  it('expires after 30 minutes', async () => {
    const me = await signUp(app);
    await app.execute(RequestPasswordResetDocument, { email: me.account.email });
    const token = tokenIn(await mailTo(me.account.email, 'Reset your password'));
    app.clock.advance(30 * 60 * 1000 + 1000);
    try {
      const res = await app.execute(ResetPasswordDocument, { token, newPassword: 'another new passphrase 9' });
      expect(codeOf(res)).toBe('INVALID_TOKEN');
    } finally {
      app.clock.advance(-(30 * 60 * 1000 + 1000));
    }
    expect((await login(me.account.email, me.account.password)).errors).toBeUndefined();
  });
});

describe('change password', () => {
  it('needs the current password, ends the other sessions and hands the caller new tokens', async () => {
    const me = await signUp(app);
    const other = (await login(me.account.email, me.account.password)).data!.login;
    const newPassword = 'my next long passphrase 3';
    const wrong = await app.execute(
      ChangePasswordDocument,
      { currentPassword: 'not my password', newPassword },
      { token: me.accessToken },
    );
    expect(codeOf(wrong)).toBe('INVALID_CREDENTIALS');
    const missing = await app.execute(ChangePasswordDocument, { newPassword }, { token: me.accessToken });
    expect(codeOf(missing)).toBe('BAD_USER_INPUT');
    expect(missing.errors?.[0]?.extensions?.field).toBe('currentPassword');

    const changed = await app.execute(
      ChangePasswordDocument,
      { currentPassword: me.account.password, newPassword },
      { token: me.accessToken },
    );
    expect(changed.errors).toBeUndefined();
    const fresh = changed.data!.changePassword;
    expect(await alive(other.accessToken)).toBe(false);
    expect(await alive(fresh.accessToken)).toBe(true);
    expect(await events(fresh.accessToken)).toContain('PASSWORD_CHANGED');
    expect((await login(me.account.email, newPassword)).errors).toBeUndefined();
    await mailTo(me.account.email, 'Your password was changed');
  });
});

describe('change email', () => {
  it('confirms at the new address, tells the old one, ends every session', async () => {
    const me = await signUp(app);
    const newEmail = `moved.${me.account.email}`;
    const requested = await app.execute(
      RequestEmailChangeDocument,
      { newEmail: newEmail.toUpperCase(), currentPassword: me.account.password },
      { token: me.accessToken },
    );
    expect(requested.data?.requestEmailChange).toBe(true);
    const token = tokenIn(await mailTo(newEmail, 'Confirm your new email address'));
    const confirmed = await app.execute(ConfirmEmailChangeDocument, { token });
    expect(confirmed.data?.confirmEmailChange).toMatchObject({ email: newEmail, emailVerified: true });
    const told = await mailTo(me.account.email, 'Your email address was changed');
    expect(told.text).toContain(newEmail);
    expect(await alive(me.accessToken)).toBe(false);
    expect(codeOf(await app.execute(ConfirmEmailChangeDocument, { token }))).toBe('INVALID_TOKEN');
    const back = (await login(newEmail, me.account.password)).data!.login;
    expect(await events(back.accessToken)).toContain('EMAIL_CHANGED');
    expect(codeOf(await login(me.account.email, me.account.password))).toBe('INVALID_CREDENTIALS');
  });
});

describe('delete account', () => {
  it('needs the password, ends sessions and removes the account and its data', async () => {
    const me = await signUp(app);
    await mailTo(me.account.email, 'Confirm your email address');
    const wrong = await app.execute(DeleteAccountDocument, { currentPassword: 'nope nope nope' }, { token: me.accessToken });
    expect(codeOf(wrong)).toBe('INVALID_CREDENTIALS');
    const deleted = await app.execute(DeleteAccountDocument, { currentPassword: me.account.password }, { token: me.accessToken });
    expect(deleted.data?.deleteAccount).toBe(true);
    expect(await alive(me.accessToken)).toBe(false);
    expect(codeOf(await login(me.account.email, me.account.password))).toBe('INVALID_CREDENTIALS');
    const db = app.orm.em.getConnection();
    for (const [table, column, value] of [
      ['app_user', 'id', me.user.id],
      ['session', 'user_id', me.user.id],
      ['security_event', 'user_id', me.user.id],
      ['email_token', 'user_id', me.user.id],
      ['mail_outbox', 'user_id', me.user.id],
    ]) {
      const rows = await db.execute(`select 1 from ${table} where ${column} = ?`, [value]);
      expect(rows, table).toHaveLength(0);
    }
  });
});
