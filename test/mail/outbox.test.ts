import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  RequestEmailVerificationDocument,
  RequestPasswordResetDocument,
  RegisterDocument,
} from '../../src/client/generated/graphql.js';
import { codeOf } from '../helpers/graphql.js';
import { startSmtpServer } from '../helpers/smtp.js';
import { createTestApp, newAccount, signUp, type TestApp } from '../helpers/test-app.js';

let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
beforeAll(async () => {
  smtp = await startSmtpServer();
});
afterAll(() => smtp.stop());

/** Waits for a condition that an asynchronous part of the app (the sender, the breaker) brings about. */
async function eventually<T>(probe: () => Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

const readiness = async (app: TestApp) =>
  (await (await fetch(`${app.url}/health/ready`)).json()) as { status: string; checks: Record<string, { status: string }> };
const outbox = async (app: TestApp, recipients: string[]) =>
  (await app.orm.em
    .getConnection()
    .execute(
      'select u.email as recipient, o.status, o.attempts, o.sealed from mail_outbox o join app_user u on u.id = o.user_id where u.email in (?)',
      [recipients],
    )) as {
    recipient: string;
    status: string;
    attempts: number;
    sealed: string | null;
  }[];

const fastMail = {
  MAIL_POLL_INTERVAL_MS: '50',
  MAIL_RETRY_BASE_SECONDS: '1',
  MAIL_BREAKER_FAILURES: '2',
  MAIL_BREAKER_RESET_MS: '300',
  NOTIFY_NEW_SIGN_IN: 'false',
};

describe('SMTP down, then back', () => {
  it('keeps every mail in the outbox, opens and closes the circuit, and sends each mail once across two instances', async () => {
    const a = await createTestApp({ ...fastMail, SMTP_URL: smtp.url });
    const b = await createTestApp({ ...fastMail, SMTP_URL: smtp.url }, {}, { shareDatabaseWith: a });
    expect((await readiness(a)).checks.mail?.status).toBe('up');
    await smtp.down();

    const accounts = Array.from({ length: 6 }, () => newAccount());
    for (const [i, account] of accounts.entries()) {
      expect((await (i % 2 ? a : b).execute(RegisterDocument, { input: account })).errors).toBeUndefined();
    }
    const emails = accounts.map((x) => x.email);
    // Failures open each instance's circuit; readiness says mail is degraded while the API stays ready.
    for (const app of [a, b]) {
      const ready = await eventually(async () => {
        const r = await readiness(app);
        return r.checks.mail?.status === 'degraded' && r;
      });
      expect(ready.status).toBe('degraded');
    }
    expect(a.logs.some((l) => l.includes('mail circuit opened'))).toBe(true);
    const waiting = await outbox(a, emails);
    expect(waiting).toHaveLength(6);
    expect(waiting.every((m) => m.status === 'pending' && m.sealed !== null)).toBe(true);

    await smtp.up();
    // Past every backoff (seconds here), but well inside a claimed mail's 5-minute lease: a jump past the
    // lease would stand for a send hung longer than every SMTP timeout, which is when a takeover is meant to happen.
    a.clock.advance(2 * 60 * 1000);
    await Promise.all(emails.map((email) => smtp.waitFor((m) => m.to === email)));
    for (const app of [a, b]) await eventually(async () => (await readiness(app)).checks.mail?.status === 'up');
    await eventually(async () => (await outbox(a, emails)).every((m) => m.status === 'sent'));

    for (const email of emails) expect(smtp.to(email), email).toHaveLength(1);
    expect((await outbox(a, emails)).every((m) => m.sealed === null)).toBe(true);
    expect(a.logs.some((l) => l.includes('mail circuit closed'))).toBe(true);
  });
});

describe('a mail that cannot be sent', () => {
  it('is retried with backoff up to MAIL_MAX_ATTEMPTS, then marked dead and logged without its token', async () => {
    const dead = await startSmtpServer();
    const url = dead.url;
    await dead.stop();
    const app = await createTestApp({ ...fastMail, SMTP_URL: url, MAIL_MAX_ATTEMPTS: '2', MAIL_BREAKER_FAILURES: '100' });
    const me = await signUp(app);
    const first = await eventually(async () => (await outbox(app, [me.account.email])).find((m) => m.attempts === 1));
    expect(first.status).toBe('pending');
    // Not due again until its backoff has passed.
    app.clock.advance(60_000);
    const given = await eventually(async () => (await outbox(app, [me.account.email])).find((m) => m.status === 'dead'));
    expect(given).toMatchObject({ attempts: 2, sealed: null });
    expect(app.logs.some((l) => l.includes('"event":"mail_dead"'))).toBe(true);
    expect(app.logs.some((l) => l.includes('token='))).toBe(false);
  });
});

describe('without SMTP_URL', () => {
  it('in development, logs mail with its link and lists it on GET /dev/mail', async () => {
    const app = await createTestApp({ NODE_ENV: 'development' });
    const me = await signUp(app);
    const page = await eventually(async () => {
      const res = await fetch(`${app.url}/dev/mail`);
      const html = await res.text();
      return html.includes(me.account.email) && { res, html };
    });
    expect(page.res.headers.get('content-type')).toContain('text/html');
    expect(page.html).toMatch(/<a href="http:\/\/localhost:5173\/verify-email\?token=[A-Za-z0-9_-]+">/);
    expect(app.logs.some((l) => l.includes('verify-email?token='))).toBe(true);
  });

  it('in development, answers the dev mail page only under a loopback Host (DNS rebinding)', async () => {
    const app = await createTestApp({ NODE_ENV: 'development' });
    const me = await signUp(app);
    await eventually(async () => (await fetch(`${app.url}/dev/mail`).then((r) => r.text())).includes(me.account.email));
    // A hostile page whose name resolves to 127.0.0.1 reaches the same socket, with its own name as Host.
    const asHost = (host: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest(`${app.url}/dev/mail`, { headers: { host } }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        req.end();
      });
    const rebound = await asHost('attacker.example:4000');
    expect(rebound.status).toBe(403);
    expect(rebound.body).not.toContain('token=');
    expect(rebound.body).not.toContain(me.account.email);
    expect((await asHost('localhost:4000')).body).toContain(me.account.email);
    expect((await asHost('[::1]:4000')).status).toBe(200);
  });

  it('outside development, has no dev mail page and keeps tokens out of the log', async () => {
    const app = await createTestApp();
    const me = await signUp(app);
    await eventually(async () => app.logs.some((l) => l.includes('"event":"mail_sent"')));
    expect((await fetch(`${app.url}/dev/mail`)).status).toBe(404);
    expect(app.logs.some((l) => l.includes('token='))).toBe(false);
    expect(me.user.emailVerified).toBe(false);
  });

  it('with MAIL_ENABLED=false, the operations that need mail answer MAIL_DISABLED', async () => {
    const app = await createTestApp({ MAIL_ENABLED: 'false' });
    const me = await signUp(app);
    expect(codeOf(await app.execute(RequestEmailVerificationDocument, {}, { token: me.accessToken }))).toBe('MAIL_DISABLED');
    expect(codeOf(await app.execute(RequestPasswordResetDocument, { email: me.account.email }))).toBe('MAIL_DISABLED');
    expect(codeOf(await app.execute(RequestPasswordResetDocument, { email: 'nobody@example.com' }))).toBe('MAIL_DISABLED');
  });
});
