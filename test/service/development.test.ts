import { Writable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { LoginDocument, MeDocument } from '../../src/client/generated/graphql.js';
import { createLogger } from '../../src/logger.js';
import { createTestApp, signUp, type TestApp } from '../helpers/test-app.js';
import { productionEnv } from '../helpers/ws.js';

let dev: TestApp;
let prod: TestApp;
beforeAll(async () => {
  dev = await createTestApp(
    { NODE_ENV: 'development' },
    {
      hasher: (real) => ({
        ...real,
        verify: async () => {
          throw new Error('the hasher broke');
        },
      }),
    },
  );
  prod = await createTestApp(await productionEnv());
});

const preflight = (app: TestApp, origin: string) =>
  fetch(`${app.url}/graphql`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
  });

describe('development', () => {
  it('lets the usual local dev servers call with credentials, and nobody else', async () => {
    for (const origin of ['http://localhost:5173', 'http://127.0.0.1:5173']) {
      const res = await preflight(dev, origin);
      expect(res.status, origin).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe(origin);
    }
    expect((await preflight(dev, 'http://evil.example')).status).toBe(403);
    expect((await preflight(prod, 'http://localhost:5173')).status).toBe(403);
  });

  it('exposes the rate-limit headers to a cross-origin page', async () => {
    const res = await fetch(`${dev.url}/graphql`, {
      method: 'POST',
      headers: { origin: 'http://localhost:5173', 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ rateLimitStatus { tier } }' }),
    });
    expect(res.headers.get('x-ratelimit-limit')).toMatch(/^\d+$/);
    const exposed = (res.headers.get('access-control-expose-headers') ?? '').split(/,\s*/);
    expect(exposed).toEqual(
      expect.arrayContaining(['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset', 'retry-after']),
    );
  });

  it('sends no stack trace with expected errors, and one with unexpected errors', async () => {
    const expected = await dev.execute(MeDocument);
    expect(expected.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(expected.errors?.[0]?.extensions).not.toHaveProperty('stacktrace');
    const invalid = await dev.post({ query: '{ nope }' });
    expect(invalid.errors?.[0]?.extensions).not.toHaveProperty('stacktrace');

    const { account } = await signUp(dev);
    const broken = await dev.execute(LoginDocument, { input: { identifier: account.email, password: account.password } });
    expect(broken.errors?.[0]?.message).toBe('the hasher broke');
    expect(broken.errors?.[0]?.extensions?.stacktrace).toEqual(
      expect.arrayContaining([expect.stringContaining('Error: the hasher broke')]),
    );
  });

  it('prints pretty log lines when asked, JSON otherwise', () => {
    const lines = (pretty: boolean) => {
      const out: string[] = [];
      const destination = new Writable({
        write(chunk: Buffer, _enc, done) {
          out.push(chunk.toString('utf8'));
          done();
        },
      });
      createLogger({ level: 'info', destination, pretty }).info({ userId: 'u1' }, 'signed in');
      return out.join('');
    };
    const pretty = lines(true);
    expect(pretty).toMatch(/INFO.*signed in/);
    expect(pretty).toContain('userId: "u1"');
    expect(() => JSON.parse(pretty)).toThrow();
    expect(JSON.parse(lines(false))).toMatchObject({ level: 'info', msg: 'signed in', userId: 'u1' });
  });
});
