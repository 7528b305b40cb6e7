import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoginDocument, RequestPasswordResetDocument, ResetPasswordDocument } from '../../src/client/generated/graphql.js';
import { codeOf } from '../helpers/graphql.js';
import { startSmtpServer, tokenIn } from '../helpers/smtp.js';
import { createTestApp, signUp, type TestApp } from '../helpers/test-app.js';

// Issue 25, point 2: device tokens collected while an intruder knew the password bought them a private
// failure budget each (10 guesses per token) against the new password after the owner's reset.

let app: TestApp;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;

beforeAll(async () => {
  smtp = await startSmtpServer();
  app = await createTestApp({ SMTP_URL: smtp.url, NOTIFY_NEW_SIGN_IN: 'false' });
});
afterAll(() => smtp.stop());

const login = (identifier: string, password: string, deviceToken: string | null = null) =>
  app.execute(LoginDocument, { input: { identifier, password, deviceToken } });

describe('device tokens collected before a reset', () => {
  it('give no private failure budget against the new password', async () => {
    const owner = await signUp(app);
    const collected: string[] = [];
    for (let i = 0; i < 3; i++)
      collected.push((await login(owner.account.email, owner.account.password)).data!.login.deviceToken!);

    await app.execute(RequestPasswordResetDocument, { email: owner.account.email });
    const token = tokenIn(await smtp.waitFor((m) => m.to === owner.account.email && m.subject === 'Reset your password'));
    expect(
      (await app.execute(ResetPasswordDocument, { token, newPassword: 'the owner’s new passphrase 4' })).errors,
    ).toBeUndefined();

    // Guesses against the new password, spread over the collected tokens, until refused.
    let wrongAnswers = 0;
    for (let guess = 0; guess < 30; guess++) {
      const res = await login(owner.account.email, `guess number ${guess} for it`, collected[guess % collected.length]!);
      if (codeOf(res) === 'RATE_LIMITED') break;
      expect(codeOf(res)).toBe('INVALID_CREDENTIALS');
      wrongAnswers++;
    }
    // Without a valid token, the attempts fall under the account-from-this-address budget: 5 a quarter hour.
    expect(wrongAnswers).toBe(5);
  });

  it('a token issued after the reset does buy its own budget (the owner’s device is not locked out)', async () => {
    const owner = await signUp(app);
    await app.execute(RequestPasswordResetDocument, { email: owner.account.email });
    const token = tokenIn(await smtp.waitFor((m) => m.to === owner.account.email && m.subject === 'Reset your password'));
    const newPassword = 'the owner’s new passphrase 5';
    await app.execute(ResetPasswordDocument, { token, newPassword });
    const device = (await login(owner.account.email, newPassword)).data!.login.deviceToken!;
    for (let guess = 0; guess < 6; guess++) await login(owner.account.email, `a stranger guesses ${guess}`);
    expect(codeOf(await login(owner.account.email, 'one more stranger guess'))).toBe('RATE_LIMITED');
    const mine = await login(owner.account.email, newPassword, device);
    expect(mine.errors).toBeUndefined();
    expect(mine.data!.login.deviceToken).toBe(device);
  });
});
