import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConfirmEmailChangeDocument,
  LoginDocument,
  MeDocument,
  MySecurityEventsDocument,
  RequestEmailChangeDocument,
  RequestPasswordResetDocument,
  ResetPasswordDocument,
  RevertEmailChangeDocument,
} from '../../src/client/generated/graphql.js';
import { codeOf } from '../helpers/graphql.js';
import { startSmtpServer, tokenIn } from '../helpers/smtp.js';
import { createTestApp, signUp, type TestApp } from '../helpers/test-app.js';

// Issue 25, point 1, the part after the move: the notice to the old address carries a 7-day undo link, and
// a reset asked at the old address still reaches the account.

let app: TestApp;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;

beforeAll(async () => {
  smtp = await startSmtpServer();
  app = await createTestApp({
    SMTP_URL: smtp.url,
    NOTIFY_NEW_SIGN_IN: 'false',
    EMAIL_CHANGE_REVERT_URL: 'https://app.example.com/undo-email-change?token={token}',
  });
});
afterAll(() => smtp.stop());

const mailTo = (to: string, subject: string) => smtp.waitFor((m) => m.to === to && m.subject === subject);
const login = (identifier: string, password: string) => app.execute(LoginDocument, { input: { identifier, password } });

let n = 0;
/** The intruder, who knows the password, moves the account to a mailbox they read. */
async function intruderMovesTheAccount() {
  const owner = await signUp(app);
  const intruder = (await login(owner.account.email, owner.account.password)).data!.login;
  const intruderMailbox = `intruder.${n++}.${owner.user.id.slice(0, 8)}@evil.example`;
  await app.execute(
    RequestEmailChangeDocument,
    { newEmail: intruderMailbox, currentPassword: owner.account.password },
    { token: intruder.accessToken },
  );
  const link = tokenIn(await mailTo(intruderMailbox, 'Confirm your new email address'));
  expect((await app.execute(ConfirmEmailChangeDocument, { token: link })).errors).toBeUndefined();
  // The intruder signs in again at the new address.
  const again = (await login(intruderMailbox, owner.account.password)).data!.login;
  const notice = await mailTo(owner.account.email, 'Your email address was changed');
  return { owner, intruderMailbox, intruderSession: again, notice };
}

describe('undoing an email change', () => {
  it('the notice to the old address carries a link that puts the address back and ends everything', async () => {
    const { owner, intruderMailbox, intruderSession, notice } = await intruderMovesTheAccount();
    expect(notice.text).toContain(intruderMailbox);
    expect(notice.text).toContain('https://app.example.com/undo-email-change?token=');
    expect(notice.text).toContain('7 days');
    // The undo link survived the bump its own change caused.
    const undo = tokenIn(notice);
    expect((await app.execute(RevertEmailChangeDocument, { token: undo })).data?.revertEmailChange).toBe(true);

    // Whatever the intruder opened after the move is over, and the address is the owner's again.
    expect(codeOf(await app.execute(MeDocument, {}, { token: intruderSession.accessToken }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await login(intruderMailbox, owner.account.password))).toBe('INVALID_CREDENTIALS');
    await app.execute(RequestPasswordResetDocument, { email: owner.account.email });
    const reset = tokenIn(await mailTo(owner.account.email, 'Reset your password'));
    const newPassword = 'the owner is back in 1';
    expect((await app.execute(ResetPasswordDocument, { token: reset, newPassword })).errors).toBeUndefined();
    const back = (await login(owner.account.email, newPassword)).data!.login;
    expect(back.user.email).toBe(owner.account.email);
    const types = (
      await app.execute(MySecurityEventsDocument, { first: 50 }, { token: back.accessToken })
    ).data!.me.securityEvents.map((e) => e.type);
    expect(types).toContain('EMAIL_CHANGE_REVERTED');

    // Single use.
    expect(codeOf(await app.execute(RevertEmailChangeDocument, { token: undo }))).toBe('INVALID_TOKEN');
  });

  it('expires after 7 days', async () => {
    const { notice } = await intruderMovesTheAccount();
    app.clock.advance(7 * 24 * 3600 * 1000 + 1000);
    try {
      expect(codeOf(await app.execute(RevertEmailChangeDocument, { token: tokenIn(notice) }))).toBe('INVALID_TOKEN');
    } finally {
      app.clock.advance(-(7 * 24 * 3600 * 1000 + 1000));
    }
  });

  it('refuses a made-up token, and answers CONFLICT when the old address was taken meanwhile', async () => {
    expect(codeOf(await app.execute(RevertEmailChangeDocument, { token: 'x'.repeat(43) }))).toBe('INVALID_TOKEN');
    const { owner, notice } = await intruderMovesTheAccount();
    // Someone registers the freed address before the owner clicks.
    await signUpAt(owner.account.email);
    expect(codeOf(await app.execute(RevertEmailChangeDocument, { token: tokenIn(notice) }))).toBe('CONFLICT');
  });
});

/** Waits until `condition` holds, checking after each turn of I/O; fails after 10 s. */
async function until(condition: () => boolean) {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function signUpAt(email: string) {
  const { RegisterDocument } = await import('../../src/client/generated/graphql.js');
  const res = await app.execute(RegisterDocument, { input: { email, password: 'a squatter passphrase 9' } });
  expect(res.errors).toBeUndefined();
}

describe('a reset asked at the former address', () => {
  it('reaches the account for 7 days after the change, mailed to that former address', async () => {
    const { owner } = await intruderMovesTheAccount();
    await app.execute(RequestPasswordResetDocument, { email: owner.account.email });
    const reset = tokenIn(await mailTo(owner.account.email, 'Reset your password'));
    const newPassword = 'the owner resets from the old mailbox 2';
    expect((await app.execute(ResetPasswordDocument, { token: reset, newPassword })).errors).toBeUndefined();
    expect(codeOf(await login(owner.account.email, owner.account.password))).toBe('INVALID_CREDENTIALS');
  });

  it('mails nothing there once the 7 days are over', async () => {
    const { owner } = await intruderMovesTheAccount();
    app.clock.advance(7 * 24 * 3600 * 1000 + 1000);
    try {
      const handled = () => app.logs.filter((l) => l.includes('"label":"password reset"')).length;
      // The outbox names the account, not the address (it is sealed): count the account's reset mail.
      const resets = async () =>
        (
          (await app.orm.em
            .getConnection()
            .execute(`select count(*)::int as n from mail_outbox where kind = 'RESET_PASSWORD' and user_id = ?`, [
              owner.user.id,
            ])) as { n: number }[]
        )[0]!.n;
      const before = handled();
      const queuedBefore = await resets();
      await app.execute(RequestPasswordResetDocument, { email: owner.account.email });
      await until(() => handled() > before);
      expect(app.logs.at(-1)).toContain('"outcome":"no_account"');
      expect(await resets()).toBe(queuedBefore);
    } finally {
      app.clock.advance(-(7 * 24 * 3600 * 1000 + 1000));
    }
  });
});
