import { beforeAll, describe, expect, it } from 'vitest';
import { LoginDocument } from '../../src/client/generated/graphql.js';
import { cutOff } from '../helpers/database.js';
import { codeOf } from '../helpers/graphql.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});

describe('health and failure', () => {
  it('reports live and ready, with each check and its time', async () => {
    const live = await fetch(`${app.url}/health/live`);
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: 'live', checks: {} });

    const ready = await fetch(`${app.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'ready',
      checks: {
        database: { status: 'up', ms: expect.any(Number) },
        bus: { status: 'up', ms: expect.any(Number) },
        mail: { status: 'up', ms: expect.any(Number) },
      },
    });
  });

  it('reports 503 while the database is unreachable, answers SERVICE_UNAVAILABLE without detail, and recovers', async () => {
    const restore = await cutOff(app.database);
    try {
      const ready = await fetch(`${app.url}/health/ready`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ status: 'unavailable', checks: { database: { status: 'down' } } });
      expect((await fetch(`${app.url}/health/live`)).status).toBe(200);

      const res = await app.execute(LoginDocument, { input: { identifier: 'someone@example.com', password: 'a password 123' } });
      expect(codeOf(res)).toBe('SERVICE_UNAVAILABLE');
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('1');
      const error = res.errors![0]!;
      expect(error.message).toBe('The service is temporarily unavailable. Try again shortly.');
      expect(Object.keys(error.extensions!).sort()).toEqual(['code', 'requestId']);
      expect(res.raw).not.toMatch(/select|app_user|postgres|stack|at .*\.ts/i);

      const logged = app.logs
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l.msg === 'database unavailable' && l.reqId === error.extensions!.requestId);
      expect(logged).toBeDefined();
    } finally {
      await restore();
    }
    await expect.poll(async () => (await fetch(`${app.url}/health/ready`)).status, { timeout: 10_000 }).toBe(200);
  });

  it('answers unknown paths with 404', async () => {
    expect((await fetch(`${app.url}/nope`)).status).toBe(404);
  });
});
