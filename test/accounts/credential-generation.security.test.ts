import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ChangePasswordDocument,
  ConfirmEmailChangeDocument,
  LoginDocument,
  LogoutDocument,
  MeDocument,
  RefreshDocument,
  RequestEmailChangeDocument,
  RequestPasswordResetDocument,
  ResetPasswordDocument,
  VerifyEmailDocument,
} from '../../src/client/generated/graphql.js';
import { codeOf } from '../helpers/graphql.js';
import { startSmtpServer, tokenIn } from '../helpers/smtp.js';
import { createTestApp, signUp, type TestApp } from '../helpers/test-app.js';

// Every event that changes who can get in (the rows) ends every credential issued before it (the columns):
// a pending email-change link, a pending reset link, a verification link, a device token and another
// session. docs/security.md names these tests in its events × credentials table.

let app: TestApp;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;

beforeAll(async () => {
  smtp = await startSmtpServer();
  app = await createTestApp({ SMTP_URL: smtp.url, NOTIFY_NEW_SIGN_IN: 'false' });
});
afterAll(() => smtp.stop());

const login = (identifier: string, password: string, deviceToken?: string | null) =>
  app.execute(LoginDocument, { input: { identifier, password, deviceToken } });

/** The token of the next mail to `to` with `subject` whose token is not one of `seen`. */
async function nextToken(to: string, subject: string, seen: Set<string>): Promise<string> {
  const mail = await smtp.waitFor((m) => m.to === to && m.subject === subject && !seen.has(tokenIn(m)));
  const token = tokenIn(mail);
  seen.add(token);
  return token;
}

let counter = 0;
/** An account holding one of each credential, and what the event needs. */
async function accountWithEverything() {
  const owner = await signUp(app);
  const seen = new Set<string>();
  const email = owner.account.email;
  const verifyLink = await nextToken(email, 'Confirm your email address', seen);
  const other = (await login(email, owner.account.password)).data!.login;
  const changeTo = (n: number) => `moved.${counter++}.${n}.${owner.user.id.slice(0, 8)}@example.net`;
  const pendingTo = changeTo(1);
  await app.execute(
    RequestEmailChangeDocument,
    { newEmail: pendingTo, currentPassword: owner.account.password },
    { token: owner.accessToken },
  );
  const pendingEmailChange = await nextToken(pendingTo, 'Confirm your new email address', seen);
  await app.execute(RequestPasswordResetDocument, { email });
  const pendingReset = await nextToken(email, 'Reset your password', seen);
  return {
    owner,
    seen,
    email,
    password: owner.account.password,
    changeTo,
    held: { verifyLink, pendingEmailChange, pendingReset, deviceToken: other.deviceToken!, session: other },
  };
}
type Holder = Awaited<ReturnType<typeof accountWithEverything>>;

/** After the event: the account's address and password now. */
type Event = (a: Holder) => Promise<{ email: string; password: string }>;

const events: Record<string, Event> = {
  'password reset': async (a) => {
    await app.execute(RequestPasswordResetDocument, { email: a.email });
    const token = await nextToken(a.email, 'Reset your password', a.seen);
    const password = 'a reset passphrase for the test';
    expect((await app.execute(ResetPasswordDocument, { token, newPassword: password })).errors).toBeUndefined();
    return { email: a.email, password };
  },
  'password change': async (a) => {
    const password = 'a changed passphrase for the test';
    const changed = await app.execute(
      ChangePasswordDocument,
      { currentPassword: a.password, newPassword: password },
      { token: a.owner.accessToken },
    );
    expect(changed.errors).toBeUndefined();
    // The caller's session is re-issued: its new tokens work.
    expect((await app.execute(MeDocument, {}, { token: changed.data!.changePassword.accessToken })).errors).toBeUndefined();
    return { email: a.email, password };
  },
  'email change confirmed': async (a) => {
    const to = a.changeTo(2);
    await app.execute(RequestEmailChangeDocument, { newEmail: to, currentPassword: a.password }, { token: a.owner.accessToken });
    const token = await nextToken(to, 'Confirm your new email address', a.seen);
    expect((await app.execute(ConfirmEmailChangeDocument, { token })).errors).toBeUndefined();
    return { email: to, password: a.password };
  },
  'sign out everywhere': async (a) => {
    expect((await app.execute(LogoutDocument, { allSessions: true }, { token: a.owner.accessToken })).errors).toBeUndefined();
    return { email: a.email, password: a.password };
  },
  'refresh-token reuse': async (a) => {
    const rotated = await app.execute(RefreshDocument, { refreshToken: a.owner.refreshToken });
    expect(rotated.errors).toBeUndefined();
    app.clock.advance(11_000); // past the grace window: a replay is theft
    expect(codeOf(await app.execute(RefreshDocument, { refreshToken: a.owner.refreshToken }))).toBe('UNAUTHENTICATED');
    return { email: a.email, password: a.password };
  },
};

describe.each(Object.entries(events))('%s ends', (_name, event) => {
  let after: { email: string; password: string };
  let a: Holder;
  beforeAll(async () => {
    a = await accountWithEverything();
    after = await event(a);
  });

  it('another session (its access token and its refresh token)', async () => {
    expect(codeOf(await app.execute(MeDocument, {}, { token: a.held.session.accessToken }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await app.execute(RefreshDocument, { refreshToken: a.held.session.refreshToken }))).toBe('UNAUTHENTICATED');
  });

  it('a pending email-change link', async () => {
    expect(codeOf(await app.execute(ConfirmEmailChangeDocument, { token: a.held.pendingEmailChange }))).toBe('INVALID_TOKEN');
  });

  it('a pending reset link', async () => {
    const res = await app.execute(ResetPasswordDocument, { token: a.held.pendingReset, newPassword: 'someone else sets this' });
    expect(codeOf(res)).toBe('INVALID_TOKEN');
  });

  it('a verification link', async () => {
    expect(codeOf(await app.execute(VerifyEmailDocument, { token: a.held.verifyLink }))).toBe('INVALID_TOKEN');
  });

  it('a device token: it no longer proves the device, so signing in hands out a new one', async () => {
    const back = await login(after.email, after.password, a.held.deviceToken);
    expect(back.errors).toBeUndefined();
    expect(back.data!.login.deviceToken).not.toBe(a.held.deviceToken);
  });
});

describe('without such an event', () => {
  it('the same credentials keep working (the control for the table above)', async () => {
    const a = await accountWithEverything();
    expect((await app.execute(MeDocument, {}, { token: a.held.session.accessToken })).errors).toBeUndefined();
    const back = await login(a.email, a.password, a.held.deviceToken);
    expect(back.data!.login.deviceToken).toBe(a.held.deviceToken);
    expect((await app.execute(VerifyEmailDocument, { token: a.held.verifyLink })).errors).toBeUndefined();
    // A plain logout of one session changes nothing else.
    expect((await app.execute(LogoutDocument, {}, { token: back.data!.login.accessToken })).errors).toBeUndefined();
    expect(
      (await app.execute(ResetPasswordDocument, { token: a.held.pendingReset, newPassword: 'the owner resets it' })).errors,
    ).toBeUndefined();
  });

  it('a pending email-change link keeps working until then', async () => {
    const a = await accountWithEverything();
    expect((await app.execute(ConfirmEmailChangeDocument, { token: a.held.pendingEmailChange })).errors).toBeUndefined();
  });
});
