import { describe, expect, it } from 'vitest';
import { LoginDocument } from '../../src/client/generated/graphql.js';
import { codeOf } from '../helpers/graphql.js';
import { createTestApp, signUp } from '../helpers/test-app.js';

describe('what the shared failure budgets give away (issue 25, points 8 and 9)', () => {
  it('failures under an account’s email do not refuse its username: no one learns that the two are one account', async () => {
    const app = await createTestApp();
    const { account } = await signUp(app);
    const attempt = (identifier: string) => app.execute(LoginDocument, { input: { identifier, password: 'a wrong password 1' } });
    for (let i = 0; i < 5; i++) expect(codeOf(await attempt(account.email))).toBe('INVALID_CREDENTIALS');
    expect(codeOf(await attempt(account.email))).toBe('RATE_LIMITED');
    // The username answers as any other identifier would after no failures of its own.
    expect(codeOf(await attempt(account.username!))).toBe('INVALID_CREDENTIALS');
    expect(codeOf(await attempt(`not_${account.username!}`.slice(0, 32)))).toBe('INVALID_CREDENTIALS');
  });

  it('one IPv6 /64 that spends its budget does not lock out the other /64s of its /48', async () => {
    const app = await createTestApp({
      TRUST_PROXY: 'loopback',
      // A small per-address budget keeps the test short; the proportions are what is tested.
      LOGIN_FAILURE_LIMITS: JSON.stringify({ ip: { points: 6, windowSeconds: 86400 } }),
    });
    const from = (ip: string, identifier: string, password: string) =>
      app.execute(LoginDocument, { input: { identifier, password } }, { headers: { 'x-forwarded-for': ip } });
    for (let i = 0; i < 6; i++) {
      expect(codeOf(await from('2001:db8:aa:1::1', `stranger${i}@example.com`, 'a guess 1'))).toBe('INVALID_CREDENTIALS');
    }
    expect(codeOf(await from('2001:db8:aa:1::2', 'stranger9@example.com', 'a guess 1'))).toBe('RATE_LIMITED');
    // A neighbour in the same /48 (and another in the same /56) signs in without a device token.
    const { account } = await signUp(app);
    expect((await from('2001:db8:aa:7700::1', account.email, account.password)).errors).toBeUndefined();
    expect((await from('2001:db8:aa:2::1', account.email, account.password)).errors).toBeUndefined();
  });
});
