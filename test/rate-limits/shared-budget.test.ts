import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { MeDocument } from '../../src/client/generated/graphql.js';
import { generateSigningJwk } from '../../src/modules/token/key-ring.js';
import { codeOf } from '../helpers/graphql.js';
import { redisUrl, startOwnRedis, uniquePrefix } from '../helpers/redis.js';
import { createTestApp, signUp } from '../helpers/test-app.js';

const table = JSON.stringify({ 'Query.me': { FREE: 4 }, 'Mutation.register': { FREE: 1000 } });

describe('rate limits across instances', () => {
  it('share one budget between two API instances through Redis', async () => {
    const env = {
      RATE_LIMITS: table,
      REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: uniquePrefix(),
      JWT_SIGNING_KEYS: JSON.stringify([await generateSigningJwk()]),
    };
    const a = await createTestApp(env);
    const b = await createTestApp(env, {}, { shareDatabaseWith: a });
    const user = await signUp(a);
    const me = (app: typeof a) => app.execute(MeDocument, {}, { token: user.accessToken });
    for (const app of [a, b, a, b]) expect((await me(app)).errors).toBeUndefined();
    expect(codeOf(await me(a))).toBe('RATE_LIMITED');
    expect(codeOf(await me(b))).toBe('RATE_LIMITED');
    const ready = await fetch(`${a.url}/health/ready`);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { redis: { status: 'up' } } });
  });

  it('keep answering, and keep limiting in-process, while Redis is down; readiness says degraded', async () => {
    const redis = await startOwnRedis();
    const app = await createTestApp({ RATE_LIMITS: table, REDIS_URL: redis.url, REDIS_KEY_PREFIX: uniquePrefix() });
    const user = await signUp(app);
    const me = () => app.execute(MeDocument, {}, { token: user.accessToken });
    expect((await me()).errors).toBeUndefined();
    expect((await me()).errors).toBeUndefined();

    await redis.stop();
    // The in-process insurance limiter starts its own count: four more, then refused.
    for (let i = 0; i < 4; i++) expect((await me()).errors, `request ${i}`).toBeUndefined();
    const refused = await me();
    expect(codeOf(refused)).toBe('RATE_LIMITED');
    expect(refused.status).toBe(429);

    const ready = await fetch(`${app.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'degraded',
      checks: { database: { status: 'up' }, redis: { status: 'degraded' } },
    });
    const warnings = app.logs.filter((l) => l.includes('Redis is unavailable'));
    expect(warnings).toHaveLength(1);

    // Back again (empty, as a restarted Redis without persistence is): counting moves back to it.
    const again = await startOwnRedis(redis.port);
    const probe = new Redis(again.url);
    try {
      await expect
        .poll(async () => ((await (await fetch(`${app.url}/health/ready`)).json()) as { status: string }).status, {
          timeout: 10_000,
        })
        .toBe('ready');
      expect(app.logs.some((l) => l.includes('Redis is back'))).toBe(true);
      expect((await me()).errors).toBeUndefined();
      // Counting in Redis again, under a keyed hash of the caller rather than the user id.
      const keys = await probe.keys('*');
      expect(keys.some((k) => k.includes('rl:Query.me'))).toBe(true);
      expect(keys.some((k) => k.includes(user.user.id))).toBe(false);
    } finally {
      probe.disconnect();
      await again.stop();
    }
  });
});
