import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConfirmEmailChangeDocument,
  DeleteAccountDocument,
  LoginDocument,
  RequestEmailChangeDocument,
  RequestPasswordResetDocument,
  ResetPasswordDocument,
} from '../../src/client/generated/graphql.js';
import { codeOf } from '../helpers/graphql.js';
import { startSmtpServer, tokenIn } from '../helpers/smtp.js';
import { createTestApp, newAccount, signUp, type TestApp } from '../helpers/test-app.js';

/**
 * The outbox as a read-only database reader (a replica, a backup, a support copy) sees it: every column
 * of every row, as text. During an SMTP outage a mail's whole life is spent in there.
 */
const readerView = async (app: TestApp) =>
  ((await app.orm.em.getConnection().execute('select row_to_json(o)::text as row from mail_outbox o')) as { row: string }[])
    .map((r) => r.row)
    .join('\n');
const outboxRows = async (app: TestApp) =>
  (await app.orm.em.getConnection().execute('select count(*)::int as n from mail_outbox'))[0]?.n as number;

async function eventually<T>(probe: () => Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

const fastMail = {
  MAIL_POLL_INTERVAL_MS: '50',
  MAIL_RETRY_BASE_SECONDS: '1',
  MAIL_BREAKER_FAILURES: '100',
  NOTIFY_NEW_SIGN_IN: 'false',
};

let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let app: TestApp;
beforeAll(async () => {
  smtp = await startSmtpServer();
  app = await createTestApp({ ...fastMail, SMTP_URL: smtp.url });
});
afterAll(() => smtp.stop());

describe('a database reader during an SMTP outage', () => {
  it('finds neither the live link nor the address in any outbox column, and cannot take the account over', async () => {
    const me = await signUp(app);
    await smtp.waitFor((m) => m.to === me.account.email);
    await smtp.down();
    try {
      expect((await app.execute(RequestPasswordResetDocument, { email: me.account.email })).data).toBeTruthy();
      // The reset mail waits in the outbox, tried and failed at least once.
      await eventually(async () => (await readerView(app)).includes('"attempts":1'));
      const duringOutage = await readerView(app);
      expect(duringOutage).not.toContain(me.account.email);
      expect(duringOutage).not.toContain('token=');
      expect(duringOutage).not.toMatch(/reset-password/);
    } finally {
      await smtp.up();
    }
    app.clock.advance(60_000);
    const mail = await smtp.waitFor((m) => m.to === me.account.email && m.subject === 'Reset your password');
    const token = tokenIn(mail);
    // Nothing the reader copied during the outage holds the token.
    expect(await readerView(app)).not.toContain(token);
    // The owner's link still works: sealing did not break delivery.
    const reset = await app.execute(ResetPasswordDocument, { token, newPassword: 'another fine passphrase 1' });
    expect(reset.errors).toBeUndefined();
    // Sent rows keep no body.
    await eventually(async () => !(await readerView(app)).includes('"status":"pending"'));
    const rows = (await app.orm.em.getConnection().execute('select * from mail_outbox')) as Record<string, unknown>[];
    for (const row of rows) expect(row.sealed ?? null).toBeNull();
  });
});

describe('deleteAccount', () => {
  it('leaves no outbox row naming any address the account ever had, not even mail still waiting', async () => {
    const first = newAccount();
    const me = await signUp(app, {});
    const { email: oldEmail } = me.account;
    await smtp.waitFor((m) => m.to === oldEmail);
    // Move to a second address, so the account has had two.
    const newEmail = first.email;
    await app.execute(RequestEmailChangeDocument, { newEmail, currentPassword: me.account.password }, { token: me.accessToken });
    const change = await smtp.waitFor((m) => m.to === newEmail);
    expect((await app.execute(ConfirmEmailChangeDocument, { token: tokenIn(change) })).errors).toBeUndefined();
    await smtp.waitFor((m) => m.to === oldEmail && m.subject === 'Your email address was changed');
    const signedIn = await app.execute(LoginDocument, { input: { identifier: newEmail, password: me.account.password } });
    const token = signedIn.data!.login.accessToken;
    await smtp.down();
    try {
      await app.execute(RequestPasswordResetDocument, { email: newEmail });
      await eventually(async () => (await outboxRows(app)) > 0 && (await readerView(app)).includes('"status":"pending"'));
      const deleted = await app.execute(DeleteAccountDocument, { currentPassword: me.account.password }, { token });
      expect(codeOf(deleted)).toBeUndefined();
      const after = await readerView(app);
      expect(after).not.toContain(oldEmail);
      expect(after).not.toContain(newEmail);
      expect(after).not.toContain(me.user.id);
    } finally {
      await smtp.up();
    }
  });
});
