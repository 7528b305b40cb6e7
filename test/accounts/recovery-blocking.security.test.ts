import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoginDocument, RequestPasswordResetDocument } from '../../src/client/generated/graphql.js';
import { startSmtpServer } from '../helpers/smtp.js';
import { createTestApp, signUp, type TestApp } from '../helpers/test-app.js';

// Issue 25, point 5: the 5-mails-an-hour quota per address was spent by whoever asked first; the owner's
// own reset request then mailed nothing.

let app: TestApp;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;

beforeAll(async () => {
  smtp = await startSmtpServer();
  app = await createTestApp({ SMTP_URL: smtp.url, NOTIFY_NEW_SIGN_IN: 'false', TRUST_PROXY: 'loopback' });
});
afterAll(() => smtp.stop());

const handled = () => app.logs.filter((l) => l.includes('"label":"password reset"')).length;
const resets = (to: string) => smtp.to(to).filter((m) => m.subject === 'Reset your password').length;

/** Asks for a reset from `ip` and waits until the request has been handled (mailed or not). */
async function askFrom(ip: string, email: string, deviceToken?: string) {
  const before = handled();
  const res = await app.execute(RequestPasswordResetDocument, { email, deviceToken }, { headers: { 'x-forwarded-for': ip } });
  expect(res.data?.requestPasswordReset).toBe(true);
  await until(() => handled() > before);
  return app.logs.filter((l) => l.includes('"label":"password reset"')).at(-1)!;
}

async function until(condition: () => boolean) {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('a stranger asking for resets', () => {
  it('spends only their own share: the owner asking from elsewhere is still mailed', async () => {
    const owner = await signUp(app);
    for (let i = 0; i < 5; i++) expect(await askFrom('198.51.100.9', owner.account.email)).toContain('"outcome":"mailed"');
    expect(await askFrom('198.51.100.9', owner.account.email)).toContain('mail_target_limited');
    expect(await askFrom('203.0.113.50', owner.account.email)).toContain('"outcome":"mailed"');
    await until(() => resets(owner.account.email) === 6);
  });

  it('cannot shut the owner out even with many addresses: a known device or address is always served', async () => {
    const owner = await signUp(app);
    // The owner signed in before from this address, and holds a device token.
    const known = '192.0.2.77';
    const signedIn = await app.execute(
      LoginDocument,
      { input: { identifier: owner.account.email, password: owner.account.password } },
      { headers: { 'x-forwarded-for': known } },
    );
    const deviceToken = signedIn.data!.login.deviceToken!;
    // Strangers on many addresses spend the target's whole ceiling.
    let limitedAt = -1;
    for (let i = 0; i < 40 && limitedAt < 0; i++) {
      if ((await askFrom(`198.51.100.${100 + i}`, owner.account.email)).includes('mail_target_limited')) limitedAt = i;
    }
    expect(limitedAt).toBeGreaterThan(5);
    expect(await askFrom('203.0.113.51', owner.account.email)).toContain('mail_target_limited');
    // The owner is served all the same.
    expect(await askFrom(known, owner.account.email)).toContain('"outcome":"mailed"');
    expect(await askFrom('203.0.113.52', owner.account.email, deviceToken)).toContain('"outcome":"mailed"');
  });
});
