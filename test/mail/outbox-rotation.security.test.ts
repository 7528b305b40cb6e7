// During a rolling rotation of OUTBOX_KEYS an instance not yet restarted meets mail sealed under the new key:
// it must leave that mail for an instance that can open it, not give it up.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RequestPasswordResetDocument } from '../../src/client/generated/graphql.js';
import { startSmtpServer } from '../helpers/smtp.js';
import { createTestApp, signUp, type TestApp } from '../helpers/test-app.js';

/**
 * Review: the documented rotation ("put a new key first") on a fleet rolled one instance at a time. An
 * instance not yet rolled claims mail the rolled one sealed under the new key: it must leave it for an
 * instance that can open it, not give it up and wipe it.
 */
const key = () => randomBytes(32).toString('base64url');
const oldKey = `old:${key()}`;
const newKey = `new:${key()}`;
const fastMail = {
  MAIL_POLL_INTERVAL_MS: '50',
  MAIL_RETRY_BASE_SECONDS: '1',
  MAIL_BREAKER_FAILURES: '100',
  NOTIFY_NEW_SIGN_IN: 'false',
};

let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let notRolled: TestApp;
let rolled: TestApp;
beforeAll(async () => {
  smtp = await startSmtpServer();
  notRolled = await createTestApp({ ...fastMail, SMTP_URL: smtp.url, OUTBOX_KEYS: oldKey });
  rolled = await createTestApp(
    { ...fastMail, SMTP_URL: smtp.url, OUTBOX_KEYS: `${newKey},${oldKey}` },
    {},
    { shareDatabaseWith: notRolled },
  );
});
afterAll(() => smtp.stop());

const statuses = async () =>
  (
    (await notRolled.orm.em.getConnection().execute(`select status from mail_outbox where kind = 'RESET_PASSWORD'`)) as {
      status: string;
    }[]
  ).map((r) => r.status);

it('mail sealed under the new key survives an instance that has only the old one', async () => {
  const me = await signUp(notRolled);
  await smtp.waitFor((m) => m.to === me.account.email);
  await smtp.down();
  try {
    await rolled.execute(RequestPasswordResetDocument, { email: me.account.email });
    await expect.poll(async () => (await statuses()).length, { timeout: 15_000 }).toBe(1);
    // The rolled instance goes away for a moment (restarts, scales in); the other one carries on.
    await rolled.close();
  } finally {
    await smtp.up();
  }
  // The instance without the new key meets the mail and leaves it, sealed, for an instance that has the key:
  // pending with its content kept, not given up (which loses a live reset link for good).
  const row = async () =>
    (
      (await notRolled.orm.em
        .getConnection()
        .execute(`select status, attempts, sealed is not null as kept from mail_outbox where kind = 'RESET_PASSWORD'`)) as {
        status: string;
        attempts: number;
        kept: boolean;
      }[]
    )[0];
  // The first attempt failed on the SMTP outage (the rolled instance's); the next is this instance's own, once
  // its backoff is over on its clock.
  await expect
    .poll(
      async () => {
        notRolled.clock.advance(60_000);
        return (await row())?.attempts ?? 0;
      },
      { timeout: 15_000 },
    )
    .toBeGreaterThanOrEqual(2);
  expect(await row()).toMatchObject({ status: 'pending', kept: true });
});
