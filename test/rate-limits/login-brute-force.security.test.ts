import { describe, expect, it } from 'vitest';
import { LoginDocument } from '../../src/client/generated/graphql.js';
import { codeOf } from '../helpers/graphql.js';
import { countingHasher } from '../helpers/hasher.js';
import { createTestApp, signUp } from '../helpers/test-app.js';

describe('failed-login limits', () => {
  it('refuse a sixth failure for one identifier from one address, unknown accounts alike, without touching argon2', async () => {
    const calls = { n: 0 };
    const app = await createTestApp({}, countingHasher(calls));
    const { account } = await signUp(app);
    const attempt = (identifier: string, password = 'wrong password 1') =>
      app.execute(LoginDocument, { input: { identifier, password } });

    for (const identifier of [account.email, 'ghost@example.com']) {
      for (let i = 0; i < 5; i++) expect(codeOf(await attempt(identifier))).toBe('INVALID_CREDENTIALS');
      calls.n = 0;
      const refused = await attempt(identifier);
      expect(codeOf(refused)).toBe('RATE_LIMITED');
      expect(refused.errors![0]!.extensions).toMatchObject({
        retryAfter: expect.any(Number),
        limit: 5,
        resetAt: expect.any(String),
      });
      expect(calls.n).toBe(0);
    }
    // Even the right password waits out the window: the guesser cannot tell when they hit it.
    expect(codeOf(await attempt(account.email.toUpperCase(), account.password))).toBe('RATE_LIMITED');
    const strip = async (identifier: string) => {
      const res = await attempt(identifier);
      return {
        message: res.errors![0]!.message.replace(/\d+ s/, 'N s'),
        code: codeOf(res),
        limit: res.errors![0]!.extensions!.limit,
      };
    };
    expect(await strip(account.email)).toEqual(await strip('ghost@example.com'));
  });

  it('reset the identifier-and-address count on a success', async () => {
    const app = await createTestApp();
    const { account } = await signUp(app);
    const attempt = (password: string) => app.execute(LoginDocument, { input: { identifier: account.email, password } });
    for (let i = 0; i < 4; i++) await attempt('wrong password 1');
    expect((await attempt(account.password)).errors).toBeUndefined();
    for (let i = 0; i < 5; i++) expect(codeOf(await attempt('wrong password 1'))).toBe('INVALID_CREDENTIALS');
    expect(codeOf(await attempt('wrong password 1'))).toBe('RATE_LIMITED');
  });

  it('limit one address trying many accounts', async () => {
    const app = await createTestApp({ LOGIN_FAILURE_LIMITS: JSON.stringify({ ip: { points: 8, windowSeconds: 86400 } }) });
    for (let i = 0; i < 8; i++) {
      const res = await app.execute(LoginDocument, {
        input: { identifier: `victim${i}@example.com`, password: 'Password-guess-1' },
      });
      expect(codeOf(res)).toBe('INVALID_CREDENTIALS');
    }
    const next = await app.execute(LoginDocument, { input: { identifier: 'another@example.com', password: 'Password-guess-1' } });
    expect(codeOf(next)).toBe('RATE_LIMITED');
  });

  it('slow a spray at one account from many addresses, while another account from those addresses is untouched', async () => {
    const app = await createTestApp({
      TRUST_PROXY: 'loopback',
      LOGIN_FAILURE_LIMITS: JSON.stringify({ identifier: { points: 10, windowSeconds: 3600 } }),
    });
    const victim = await signUp(app);
    const bystander = await signUp(app);
    const from = (ip: string, identifier: string, password: string) =>
      app.execute(LoginDocument, { input: { identifier, password } }, { headers: { 'x-forwarded-for': ip } });
    for (let i = 0; i < 10; i++)
      expect(codeOf(await from(`198.51.100.${i + 1}`, victim.account.email, 'spray-guess-1'))).toBe('INVALID_CREDENTIALS');
    expect(codeOf(await from('198.51.100.200', victim.account.email, 'spray-guess-1'))).toBe('RATE_LIMITED');
    expect((await from('198.51.100.3', bystander.account.email, bystander.account.password)).errors).toBeUndefined();
    // The window is an hour, not forever: the owner gets back in once it passes (checked in the limiter's own terms).
    const refused = await from('203.0.113.50', victim.account.email, victim.account.password);
    expect(refused.errors![0]!.extensions!.retryAfter as number).toBeLessThanOrEqual(3600);
  });
});
