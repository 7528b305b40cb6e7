import { beforeAll, describe, expect, it } from 'vitest';
import { MeDocument, RateLimitStatusDocument, RefreshDocument, SetUserTierDocument } from '../../src/client/generated/graphql.js';
import { codeOf } from '../helpers/graphql.js';
import { createTestApp, signUp, signUpAdmin, type TestApp } from '../helpers/test-app.js';

let app: TestApp;
let admin: Awaited<ReturnType<typeof signUpAdmin>>;
const limits = {
  'Query.me': { FREE: 25, PREMIUM: 40, ADMIN: 1000, windowSeconds: 60 },
  'Mutation.register': { FREE: 1000, PREMIUM: 1000, ADMIN: 1000 },
  'Mutation.login': { FREE: 1000 },
  'Mutation.refresh': { FREE: 1000 },
};

beforeAll(async () => {
  app = await createTestApp({ RATE_LIMITS: JSON.stringify(limits) });
  admin = await signUpAdmin(app);
});

const aliasedMe = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `m${i}: me { id }`).join(' ')} }`;
const meBudget = async (token: string) =>
  (await app.execute(RateLimitStatusDocument, {}, { token })).data!.rateLimitStatus.limits.find((l) => l.field === 'Query.me')!;

describe('per-tier rate limits', () => {
  it('give each tier its configured budget', async () => {
    const free = await signUp(app);
    const premium = await signUp(app);
    await app.execute(SetUserTierDocument, { userId: premium.user.id, tier: 'PREMIUM' }, { token: admin.accessToken });
    const premiumToken = (await app.execute(RefreshDocument, { refreshToken: premium.refreshToken })).data!.refresh.accessToken;

    expect(await meBudget(free.accessToken)).toMatchObject({ limit: 25, used: 0, remaining: 25, windowSeconds: 60 });
    expect(await meBudget(premiumToken)).toMatchObject({ limit: 40, remaining: 40 });

    const freeRes = await app.post({ query: aliasedMe(26) }, { token: free.accessToken });
    const premiumRes = await app.post({ query: aliasedMe(26) }, { token: premiumToken });
    expect(freeRes.errors?.map((e) => e.extensions?.code)).toEqual(['RATE_LIMITED']);
    expect(premiumRes.errors).toBeUndefined();
  });

  it('count every resolution: 20 aliases use 20', async () => {
    const user = await signUp(app);
    const res = await app.post({ query: aliasedMe(20) }, { token: user.accessToken });
    expect(res.errors).toBeUndefined();
    expect(Object.keys(res.data!)).toHaveLength(20);
    expect(await meBudget(user.accessToken)).toMatchObject({ used: 20, remaining: 5 });
  });

  it('refuse the field over the limit with RATE_LIMITED, retryAfter, limit and resetAt', async () => {
    const user = await signUp(app);
    await app.post({ query: aliasedMe(24) }, { token: user.accessToken });
    // me is non-null, so the refused alias nulls the whole response: that is a refused operation too.
    const res = await app.post({ query: `{ a: me { id } b: me { id } }` }, { token: user.accessToken });
    expect(res.errors).toHaveLength(1);
    expect(res.data).toBeNull();
    const error = res.errors!.find((e) => e.path?.[0] === 'b')!;
    expect(error.extensions).toMatchObject({ code: 'RATE_LIMITED', limit: 25, retryAfter: expect.any(Number) });
    const retryAfter = error.extensions!.retryAfter as number;
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(Date.parse(error.extensions!.resetAt as string)).toBeGreaterThan(Date.now() - 5_000);
  });

  it('answer 429 with Retry-After when the whole operation was refused', async () => {
    const user = await signUp(app);
    await app.post({ query: aliasedMe(25) }, { token: user.accessToken });
    const res = await app.execute(MeDocument, {}, { token: user.accessToken });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(codeOf(res)).toBe('RATE_LIMITED');
  });

  it('report the same figures in rateLimitStatus as were used, without spending any by asking', async () => {
    const user = await signUp(app);
    await app.post({ query: aliasedMe(7) }, { token: user.accessToken });
    const first = await app.execute(RateLimitStatusDocument, {}, { token: user.accessToken });
    const second = await app.execute(RateLimitStatusDocument, {}, { token: user.accessToken });
    const strip = (r: typeof first) => r.data!.rateLimitStatus.limits.map(({ resetAt: _r, ...rest }) => rest);
    expect(strip(first)).toEqual(strip(second));
    expect(first.data!.rateLimitStatus.limits.find((l) => l.field === 'Query.me')).toMatchObject({ used: 7, remaining: 18 });
    expect(first.data!.rateLimitStatus.limits.map((l) => l.field)).toEqual(
      expect.arrayContaining(['Mutation.login', 'Query.me', 'User.sessions']),
    );
    expect(first.data!.rateLimitStatus.limits.map((l) => l.field)).not.toContain('Query.rateLimitStatus');
  });

  it('return the most constrained field’s figures as X-RateLimit-* headers', async () => {
    const user = await signUp(app);
    const res = await app.post({ query: aliasedMe(3) }, { token: user.accessToken });
    expect(res.headers.get('x-ratelimit-limit')).toBe('25');
    expect(res.headers.get('x-ratelimit-remaining')).toBe('22');
    const reset = Number(res.headers.get('x-ratelimit-reset'));
    expect(reset * 1000).toBeGreaterThan(Date.now());
    expect(reset * 1000).toBeLessThanOrEqual(Date.now() + 61_000);
  });

  it('do not spend a budget on a call the permission rules refused', async () => {
    const res = await app.post({ query: aliasedMe(30).replace('{ m0', '{ m0') }, {});
    expect(res.errors?.every((e) => e.extensions?.code === 'UNAUTHENTICATED')).toBe(true);
    const anon = (await app.execute(RateLimitStatusDocument, {})).data!.rateLimitStatus;
    expect(anon.tier).toBe('FREE');
    expect(anon.limits.find((l) => l.field === 'Query.me')).toMatchObject({ used: 0 });
  });
});
