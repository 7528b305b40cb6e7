import { describe, expect, it } from 'vitest';
import { LoginDocument, RegisterDocument } from '../../src/client/generated/graphql.js';
import { defaultLoginFailureLimits } from '../../src/modules/auth/login-throttle.js';
import { defaultRateLimits } from '../../src/modules/rate-limit/rate-limit.table.js';
import { codeOf } from '../helpers/graphql.js';
import { createTestApp, newAccount, signUp, type TestApp } from '../helpers/test-app.js';
import { productionEnv } from '../helpers/ws.js';

// RATE_LIMITS empty: the built-in table, not the test helper's headroom.
const builtIn = { RATE_LIMITS: '' };

/** Signs up one more account than the default hourly budget allows from one address; the last answer's code. */
async function signUpPastTheBudget(app: TestApp) {
  const budget = defaultRateLimits['Mutation.register']!.FREE;
  for (let i = 0; i < budget; i++) await signUp(app);
  return codeOf(await app.execute(RegisterDocument, { input: newAccount() }));
}

/** Misses one account's password one more time than the default per-address failure budget allows. */
async function missPastTheBudget(app: TestApp) {
  const { account } = await signUp(app);
  const wrong = { identifier: account.email, password: 'not the password at all' };
  const codes: unknown[] = [];
  for (let i = 0; i <= defaultLoginFailureLimits.identifierIp.points; i++) {
    codes.push(codeOf(await app.execute(LoginDocument, { input: wrong })));
  }
  return codes;
}

describe('sign-up and sign-in budgets', () => {
  it('in development, a developer signing up again and again from localhost is not locked out for an hour', async () => {
    const app = await createTestApp({ NODE_ENV: 'development', ...builtIn });
    expect(await signUpPastTheBudget(app)).toBeUndefined();
  });

  it('in development, mistyped passwords do not lock the developer out of their test account', async () => {
    const app = await createTestApp({ NODE_ENV: 'development', ...builtIn });
    const codes = await missPastTheBudget(app);
    expect(new Set(codes)).toEqual(new Set(['INVALID_CREDENTIALS']));
  });

  it('in development, RATE_LIMITS and LOGIN_FAILURE_LIMITS still win', async () => {
    const app = await createTestApp({
      NODE_ENV: 'development',
      RATE_LIMITS: JSON.stringify({ 'Mutation.register': { FREE: 1 } }),
      LOGIN_FAILURE_LIMITS: JSON.stringify({ identifierIp: { points: 1, windowSeconds: 60 } }),
    });
    const { account } = await signUp(app);
    expect(codeOf(await app.execute(RegisterDocument, { input: newAccount() }))).toBe('RATE_LIMITED');
    const wrong = { identifier: account.email, password: 'not the password at all' };
    expect(codeOf(await app.execute(LoginDocument, { input: wrong }))).toBe('INVALID_CREDENTIALS');
    expect(codeOf(await app.execute(LoginDocument, { input: wrong }))).toBe('RATE_LIMITED');
  });

  it('in production, the 11th sign-up from one address in an hour and the 6th miss are refused as before', async () => {
    const app = await createTestApp(await productionEnv(builtIn));
    expect(await signUpPastTheBudget(app)).toBe('RATE_LIMITED');
    const other = await createTestApp(await productionEnv(builtIn));
    expect((await missPastTheBudget(other)).at(-1)).toBe('RATE_LIMITED');
  });
});
