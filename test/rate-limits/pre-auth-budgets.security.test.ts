import { describe, expect, it } from 'vitest';
import {
  CreateServiceAccountDocument,
  LoginDocument,
  RateLimitStatusDocument,
  RefreshDocument,
  RegisterDocument,
  StartOAuthDocument,
} from '../../src/client/generated/graphql.js';
import { defaultRateLimits } from '../../src/modules/rate-limit/rate-limit.table.js';
import { codeOf } from '../helpers/graphql.js';
import { createTestApp, newAccount, signUp, signUpAdmin } from '../helpers/test-app.js';

const preAuth = ['Mutation.register', 'Mutation.login', 'Mutation.refresh', 'Mutation.startOAuth', 'Mutation.completeOAuth'];
const limited = (n: number) =>
  JSON.stringify(Object.fromEntries(preAuth.map((f) => [f, { FREE: n, PREMIUM: 1000, ADMIN: 1000, windowSeconds: 3600 }])));
const at = (ip: string, token?: string) => ({ headers: { 'x-forwarded-for': ip }, token });

describe('fields used before sign-in', () => {
  it('are declared as counted by address in the rate-limit table', () => {
    for (const field of preAuth) expect(defaultRateLimits[field]?.byAddress, field).toBe(true);
  });

  it('spend the address’s register budget even with a farmed account’s token', async () => {
    const app = await createTestApp({ TRUST_PROXY: 'loopback', RATE_LIMITS: limited(2) });
    const first = await signUp(app, at('198.51.100.1'));
    await signUp(app, at('198.51.100.1'));
    const farmed = await app.execute(RegisterDocument, { input: newAccount() }, at('198.51.100.1', first.accessToken));
    expect(codeOf(farmed)).toBe('RATE_LIMITED');
    expect(farmed.status).toBe(429);
    expect(farmed.errors![0]!.extensions!.limit).toBe(2);
    // Another address has its own budget, token or not.
    expect(
      (await app.execute(RegisterDocument, { input: newAccount() }, at('198.51.100.2', first.accessToken))).errors,
    ).toBeUndefined();
  });

  it('give a service-account key no extra register, login, refresh or startOAuth budget', async () => {
    const app = await createTestApp({
      TRUST_PROXY: 'loopback',
      RATE_LIMITS: limited(2),
      OAUTH_REDIRECT_URIS: 'http://localhost:5173/cb',
    });
    const admin = await signUpAdmin(app);
    const key = (await app.execute(CreateServiceAccountDocument, { name: 'worker' }, { token: admin.accessToken })).data!
      .createServiceAccount.apiKey;
    const ip = '198.51.100.3';
    const calls = [
      () => app.execute(RegisterDocument, { input: newAccount() }, at(ip, key)),
      () => app.execute(LoginDocument, { input: { identifier: 'nobody@example.com', password: 'wrong guess 1' } }, at(ip, key)),
      () => app.execute(RefreshDocument, { refreshToken: 'not-a-token' }, at(ip, key)),
      () => app.execute(StartOAuthDocument, { provider: 'GOOGLE', redirectUri: 'http://localhost:5173/cb' }, at(ip, key)),
    ];
    for (const call of calls) {
      await call();
      await call();
      const third = await call();
      expect(codeOf(third)).toBe('RATE_LIMITED');
      expect(third.errors![0]!.extensions!.limit).toBe(2);
    }
  });

  it('are reported by rateLimitStatus as the address’s budget, for signed-in callers too', async () => {
    const app = await createTestApp({ TRUST_PROXY: 'loopback', RATE_LIMITS: limited(5) });
    const user = await signUp(app, at('198.51.100.4'));
    await app.execute(
      LoginDocument,
      { input: { identifier: user.account.email, password: user.account.password } },
      at('198.51.100.4', user.accessToken),
    );
    const budgets = (await app.execute(RateLimitStatusDocument, {}, at('198.51.100.4', user.accessToken))).data!.rateLimitStatus
      .limits;
    expect(budgets.find((b) => b.field === 'Mutation.register')).toMatchObject({ limit: 5, used: 1 });
    expect(budgets.find((b) => b.field === 'Mutation.login')).toMatchObject({ limit: 5, used: 1 });
    const anonymous = (await app.execute(RateLimitStatusDocument, {}, at('198.51.100.4'))).data!.rateLimitStatus.limits;
    expect(anonymous.find((b) => b.field === 'Mutation.register')).toMatchObject({ used: 1 });
  });
});
