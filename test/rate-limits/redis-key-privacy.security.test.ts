import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoginDocument, RequestPasswordResetDocument } from '../../src/client/generated/graphql.js';
import { redisUrl, uniquePrefix } from '../helpers/redis.js';
import { startSmtpServer } from '../helpers/smtp.js';
import { createTestApp, newAccount, signUp, type TestApp } from '../helpers/test-app.js';

/** What anyone who can list Redis keys (an operator, a monitoring tool, a memory dump) learns about people. */

let app: TestApp;
let redis: Redis;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
const prefix = uniquePrefix();

beforeAll(async () => {
  smtp = await startSmtpServer();
  redis = new Redis(redisUrl);
  app = await createTestApp({ REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix, SMTP_URL: smtp.url });
});
afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
  await smtp.stop();
});

describe('Redis key names', () => {
  it('name no address, no account and no client: every caller part is a keyed hash', async () => {
    const me = await signUp(app);
    const stranger = newAccount();
    await app.execute(RequestPasswordResetDocument, { email: me.account.email });
    await app.execute(RequestPasswordResetDocument, { email: stranger.email });
    await app.execute(LoginDocument, { input: { identifier: stranger.email, password: 'not it at all' } });
    await app.execute(LoginDocument, { input: { identifier: me.account.email, password: 'not it at all' } });
    await smtp.waitFor((m) => m.to === me.account.email && m.subject === 'Reset your password');
    const keys = (await redis.keys(`${prefix}:*`)).join('\n');
    expect(keys).toContain('mail-target');
    expect(keys).toContain('login-fail');
    for (const personal of [me.account.email, stranger.email, me.user.id, '127.0.0.1', 'example.com']) {
      expect(keys).not.toContain(personal);
    }
  });
});
