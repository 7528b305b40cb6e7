import { connect } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { codeOf } from '../helpers/graphql.js';
import { createTestApp, signUp, type TestApp } from '../helpers/test-app.js';

/** Requests that are the client's mistake (or the client's leaving) get a code of their own, never INTERNAL_SERVER_ERROR. */

let app: TestApp;
let token: string;
beforeAll(async () => {
  app = await createTestApp();
  token = (await signUp(app)).accessToken;
});

const errorLines = () => app.logs.filter((l) => l.includes('"level":"error"'));

describe('over HTTP', () => {
  it('refuses a subscription with BAD_REQUEST: subscriptions are served over WebSocket', async () => {
    const before = errorLines().length;
    const res = await app.post({ query: 'subscription { resourceProgressChanged(resourceId: "x") { resourceId } }' }, { token });
    expect(codeOf(res)).toBe('BAD_REQUEST');
    expect(res.errors?.[0]?.message).toMatch(/WebSocket/);
    expect(res.data ?? null).toBeNull();
    expect(errorLines()).toHaveLength(before);
  });

  it('answers the persisted-query codes: not found, and a hash that does not match the query', async () => {
    const before = errorLines().length;
    const missing = await app.post({ extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } } });
    expect(codeOf(missing)).toBe('PERSISTED_QUERY_NOT_FOUND');
    const mismatch = await app.post({
      query: '{ __typename }',
      extensions: { persistedQuery: { version: 1, sha256Hash: 'b'.repeat(64) } },
    });
    expect(codeOf(mismatch)).toBe('PERSISTED_QUERY_HASH_MISMATCH');
    expect(mismatch.status).toBe(400);
    expect(errorLines()).toHaveLength(before);
  });

  it('logs a client that leaves mid-request at info, not as an error', async () => {
    const before = errorLines().length;
    const { port } = new URL(app.url);
    await new Promise<void>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write(
          'POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"query":',
        );
        setImmediate(() => socket.destroy());
      });
      socket.on('close', () => resolve());
      socket.on('error', reject);
    });
    await expect.poll(() => app.logs.some((l) => l.includes('"event":"client_abort"')), { timeout: 5000 }).toBe(true);
    expect(app.logs.find((l) => l.includes('"event":"client_abort"'))).toContain('"level":"info"');
    expect(errorLines()).toHaveLength(before);
  });
});
