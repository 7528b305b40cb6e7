import { print } from 'graphql';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ReportResourceProgressDocument, ResourceProgressChangedDocument } from '../../src/client/generated/graphql.js';
import { generateSigningJwk } from '../../src/modules/token/key-ring.js';
import { redisUrl, uniquePrefix } from '../helpers/redis.js';
import { createTestApp, signUp, signUpAdmin, type TestApp } from '../helpers/test-app.js';
import { rawSocket } from '../helpers/ws.js';

// Two instances behind a balancer: a user's sockets and subscriptions land on either. With REDIS_URL the
// per-user caps count both; counted per instance, a user had twice the cap on two instances (N times on N).
let a: TestApp;
let b: TestApp;
const prefix = uniquePrefix();
const sockets: ReturnType<typeof rawSocket>[] = [];
const open = (app: TestApp, token: string) => {
  const s = rawSocket(app.url, { token });
  sockets.push(s);
  return s;
};
const subscription = print(ResourceProgressChangedDocument);

beforeAll(async () => {
  const env = {
    JWT_SIGNING_KEYS: JSON.stringify([await generateSigningJwk()]),
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: prefix,
    WS_MAX_SOCKETS_PER_USER: '2',
    WS_MAX_SUBSCRIPTIONS_PER_USER: '2',
  };
  a = await createTestApp(env);
  b = await createTestApp(env, {}, { shareDatabaseWith: a });
});
afterEach(async () => {
  for (const s of sockets) s.close();
  await Promise.all(sockets.splice(0).map((s) => s.closed));
});
afterAll(async () => {
  const redis = new Redis(redisUrl);
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

const answer = async (s: ReturnType<typeof rawSocket>, id: string) => {
  const answered = () => s.of(id).find((m) => m.type === 'next' || m.type === 'error');
  await expect.poll(() => answered() !== undefined, { timeout: 10_000 }).toBe(true);
  const m = answered()!;
  return m.type === 'next' ? 'live' : (m.payload as { extensions: { code: string; limit?: string } }[])[0]?.extensions;
};

describe('per-user WebSocket caps across instances (Redis)', () => {
  it('count sockets on both instances against one cap', async () => {
    const user = await signUp(a);
    const [first, second] = [open(a, user.accessToken), open(b, user.accessToken)];
    for (const s of [first, second]) await expect.poll(s.acknowledged).toBe(true);
    const third = open(a, user.accessToken);
    expect(await third.closed).toEqual({ code: 4429, reason: 'Too many connections for this user' });
    // A closed socket gives its slot back, on every instance.
    second.close();
    await second.closed;
    const again = open(b, user.accessToken);
    await expect.poll(again.acknowledged, { timeout: 5000 }).toBe(true);
  });

  it('count subscriptions on both instances against one cap', async () => {
    const admin = await signUpAdmin(a);
    const user = await signUp(a);
    const resourceId = `fleet-caps-${Date.now()}`;
    const reported = await a.execute(
      ReportResourceProgressDocument,
      { input: { resourceId, ownerId: user.user.id, stage: 'INGESTION', status: 'PROCESSING' } },
      { token: admin.accessToken },
    );
    expect(reported.errors).toBeUndefined();
    const [onA, onB] = [open(a, user.accessToken), open(b, user.accessToken)];
    for (const s of [onA, onB]) await expect.poll(s.acknowledged).toBe(true);
    expect(await answer(onA, onA.subscribe(subscription, { resourceId }))).toBe('live');
    expect(await answer(onB, onB.subscribe(subscription, { resourceId }))).toBe('live');
    expect(await answer(onB, onB.subscribe(subscription, { resourceId }))).toMatchObject({
      code: 'RATE_LIMITED',
      limit: 'at most 2 subscriptions per user',
    });
  });
});
