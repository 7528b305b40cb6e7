import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoginDocument, MeDocument } from '../../src/client/generated/graphql.js';
import { codeOf } from '../helpers/graphql.js';
import { startOwnRedis, uniquePrefix } from '../helpers/redis.js';
import { createTestApp, signUp, type TestApp } from '../helpers/test-app.js';

let redis: Awaited<ReturnType<typeof startOwnRedis>>;
let app: TestApp;
beforeAll(async () => {
  redis = await startOwnRedis();
  app = await createTestApp({
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: uniquePrefix(),
    REDIS_COMMAND_TIMEOUT_MS: '200',
    REDIS_CONNECT_TIMEOUT_MS: '300',
    RATE_LIMITS: JSON.stringify({ 'Query.me': { FREE: 1000 }, 'Mutation.login': { FREE: 1000 } }),
  });
});
afterAll(async () => {
  await app.close();
  await redis.stop();
});

/** Rejects when the answer takes longer than `ms`: without a command timeout these never come. */
const within = <T>(ms: number, work: Promise<T>) =>
  Promise.race([work, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms))]);

const readiness = async () =>
  (await (await fetch(`${app.url}/health/ready`)).json()) as {
    status: string;
    checks: Record<string, { status: string; error?: string }>;
  };

describe('a hung Redis (SIGSTOP)', () => {
  it('does not hold up rate-limited requests, reads degraded with the reason, and heals when Redis answers again', async () => {
    const user = await signUp(app);
    const me = () => app.execute(MeDocument, {}, { token: user.accessToken });
    const login = () =>
      app.execute(LoginDocument, { input: { identifier: user.account.email, password: user.account.password } });
    expect((await me()).errors).toBeUndefined();

    redis.pause();
    try {
      // The first command waits out its 200 ms deadline; after that the limiter does not wait at all.
      for (let i = 0; i < 3; i++) {
        const [a, b] = await within(3000, Promise.all([me(), login()]));
        expect(a.data?.me.email).toBe(user.account.email);
        expect(b.data?.login.user.email).toBe(user.account.email);
      }
      const ready = await readiness();
      expect(ready).toMatchObject({ status: 'degraded', checks: { database: { status: 'up' }, redis: { status: 'degraded' } } });
      expect(ready.checks.redis?.error).toMatch(/redis unreachable: .+/);
      expect(app.logs.filter((l) => l.includes('Redis is unavailable'))).toHaveLength(1);
    } finally {
      redis.resume();
    }

    await expect.poll(async () => (await readiness()).status, { timeout: 10_000 }).toBe('ready');
    expect(app.logs.some((l) => l.includes('Redis is back'))).toBe(true);
    expect((await me()).errors).toBeUndefined();
    const probe = new Redis(redis.url);
    try {
      // Counting in Redis again (the caller part of the key is a keyed hash, never the user id).
      const keys = await probe.keys('*');
      expect(keys.some((k) => k.includes('rl:Query.me'))).toBe(true);
      expect(keys.some((k) => k.includes(user.user.id))).toBe(false);
    } finally {
      probe.disconnect();
    }

    // Stopped outright, the limits fall back at once too.
    await redis.stop();
    const [a, b] = await within(3000, Promise.all([me(), login()]));
    expect(a.errors).toBeUndefined();
    expect(codeOf(b)).toBeUndefined();
  });
});
