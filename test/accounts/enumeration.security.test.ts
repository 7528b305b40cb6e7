import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RequestEmailChangeDocument, RequestPasswordResetDocument } from '../../src/client/generated/graphql.js';
import { startSmtpServer } from '../helpers/smtp.js';
import { createTestApp, signUp, type TestApp } from '../helpers/test-app.js';

let app: TestApp;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
beforeAll(async () => {
  smtp = await startSmtpServer();
  app = await createTestApp({ SMTP_URL: smtp.url, NOTIFY_NEW_SIGN_IN: 'false' });
});
afterAll(() => smtp.stop());

/** What a client can observe of an answer: status, body and the headers that are not per-request. */
const observable = (res: { status: number; raw: string }) => ({ status: res.status, body: res.raw });

describe('requests that must not reveal whether an account exists', () => {
  it('requestPasswordReset answers alike for a known and an unknown address; only the known one gets mail', async () => {
    const known = await signUp(app);
    const unknown = `nobody.${Date.now()}@example.com`;
    const answers = [];
    for (const email of [known.account.email, unknown, known.account.email.toUpperCase(), 'not an address']) {
      answers.push(observable(await app.execute(RequestPasswordResetDocument, { email })));
    }
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(answers[0]).toEqual({ status: 200, body: '{"data":{"requestPasswordReset":true}}\n' });
    await smtp.waitFor((m) => m.to === known.account.email && m.subject === 'Reset your password');
    expect(smtp.to(unknown)).toEqual([]);
  });

  it('requestEmailChange answers alike whether the new address is free or taken; a taken one gets no mail', async () => {
    const me = await signUp(app);
    const taken = await signUp(app);
    const free = `free.${Date.now()}@example.com`;
    const ask = (newEmail: string) =>
      app.execute(RequestEmailChangeDocument, { newEmail, currentPassword: me.account.password }, { token: me.accessToken });
    const toTaken = observable(await ask(taken.account.email));
    const toFree = observable(await ask(free));
    expect(toTaken).toEqual(toFree);
    await smtp.waitFor((m) => m.to === free && m.subject === 'Confirm your new email address');
    expect(smtp.to(taken.account.email).filter((m) => m.subject === 'Confirm your new email address')).toEqual([]);
  });

  it('limits mail per target and requesting address, silently', async () => {
    const known = await signUp(app);
    // The owner signed up from elsewhere: from an address they signed in from, they would always be served.
    await app.orm.em.getConnection().execute(`update session set ip = '192.0.2.200' where user_id = ?`, [known.user.id]);
    for (let i = 0; i < 8; i++) {
      const res = await app.execute(RequestPasswordResetDocument, { email: known.account.email });
      expect(res.data?.requestPasswordReset).toBe(true);
    }
    await smtp.waitFor((m) => m.to === known.account.email && m.subject === 'Reset your password');
    const limited = () => app.logs.filter((l) => l.includes('"event":"mail_target_limited"')).length;
    // Five per hour from one address reach the target; the rest are skipped without a different answer.
    for (const started = Date.now(); limited() < 3 && Date.now() - started < 10_000; )
      await new Promise((r) => setTimeout(r, 25));
    expect(limited()).toBe(3);
  });
});
