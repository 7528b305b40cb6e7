import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ChangePasswordDocument,
  ConfirmEmailChangeDocument,
  LoginDocument,
  RequestEmailChangeDocument,
  RequestPasswordResetDocument,
  ResetPasswordDocument,
} from '../../src/client/generated/graphql.js';
import { codeOf } from '../helpers/graphql.js';
import { startSmtpServer, tokenIn } from '../helpers/smtp.js';
import { createTestApp, signUp, type TestApp } from '../helpers/test-app.js';

// Issue 25, point 1: an intruder who once knew the password asks for an email change to a mailbox they
// read; the owner recovers the account; the intruder's link, mailed before the recovery, must be dead.

let app: TestApp;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;

beforeAll(async () => {
  smtp = await startSmtpServer();
  app = await createTestApp({ SMTP_URL: smtp.url, NOTIFY_NEW_SIGN_IN: 'false' });
});
afterAll(() => smtp.stop());

const mailTo = (to: string, subject: string) => smtp.waitFor((m) => m.to === to && m.subject === subject);
const login = (identifier: string, password: string) => app.execute(LoginDocument, { input: { identifier, password } });

async function intruderAsksForTheMove(owner: Awaited<ReturnType<typeof signUp>>) {
  const intruder = (await login(owner.account.email, owner.account.password)).data!.login;
  const intruderMailbox = `intruder.${owner.user.id.slice(0, 8)}@evil.example`;
  const asked = await app.execute(
    RequestEmailChangeDocument,
    { newEmail: intruderMailbox, currentPassword: owner.account.password },
    { token: intruder.accessToken },
  );
  expect(asked.errors).toBeUndefined();
  return { intruderMailbox, link: tokenIn(await mailTo(intruderMailbox, 'Confirm your new email address')) };
}

describe('recovery ends what an intruder holds', () => {
  it('a password reset kills the email-change link the intruder was mailed before it', async () => {
    const owner = await signUp(app);
    const { link } = await intruderAsksForTheMove(owner);

    await app.execute(RequestPasswordResetDocument, { email: owner.account.email });
    const reset = tokenIn(await mailTo(owner.account.email, 'Reset your password'));
    const newPassword = 'the owner takes it back 1';
    expect((await app.execute(ResetPasswordDocument, { token: reset, newPassword })).data?.resetPassword).toBe(true);

    expect(codeOf(await app.execute(ConfirmEmailChangeDocument, { token: link }))).toBe('INVALID_TOKEN');
    const back = await login(owner.account.email, newPassword);
    expect(back.data?.login.user.email).toBe(owner.account.email);
  });

  it('a password change kills the email-change link, and a reset link, issued before it', async () => {
    const owner = await signUp(app);
    const { link } = await intruderAsksForTheMove(owner);
    await app.execute(RequestPasswordResetDocument, { email: owner.account.email });
    const reset = tokenIn(await mailTo(owner.account.email, 'Reset your password'));

    const newPassword = 'the owner changes it now 2';
    const changed = await app.execute(
      ChangePasswordDocument,
      { currentPassword: owner.account.password, newPassword },
      { token: owner.accessToken },
    );
    expect(changed.errors).toBeUndefined();

    expect(codeOf(await app.execute(ConfirmEmailChangeDocument, { token: link }))).toBe('INVALID_TOKEN');
    expect(codeOf(await app.execute(ResetPasswordDocument, { token: reset, newPassword: 'the intruder sets one 3' }))).toBe(
      'INVALID_TOKEN',
    );
    expect((await login(owner.account.email, newPassword)).data?.login.user.email).toBe(owner.account.email);
  });
});
