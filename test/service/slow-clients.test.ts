import { connect, type Socket } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

let app: TestApp;
let port: number;
beforeAll(async () => {
  app = await createTestApp({
    HTTP_HEADERS_TIMEOUT_MS: '1000',
    HTTP_REQUEST_TIMEOUT_MS: '2000',
    MAX_CONNECTIONS_PER_ADDRESS: '4',
  });
  port = Number(new URL(app.url).port);
});

/** A raw connection that records what the server sends and when it closes. */
async function open(): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
  const socket = connect(port, '127.0.0.1');
  let text = '';
  socket.on('data', (d: Buffer) => (text += d.toString()));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return { socket, received: () => text, closed };
}

describe('slow clients', () => {
  it('get 408 and lose the connection when their headers do not arrive in time', async () => {
    const conn = await open();
    conn.socket.write('POST /graphql HTTP/1.1\r\nHost: localhost\r\ncontent-type: application/json\r\n');
    await conn.closed;
    expect(conn.received()).toMatch(/^HTTP\/1\.1 408/);
  });

  it('get 408 when the body does not arrive in time', async () => {
    const conn = await open();
    conn.socket.write(
      'POST /graphql HTTP/1.1\r\nHost: localhost\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"qu',
    );
    await conn.closed;
    expect(conn.received()).toMatch(/^HTTP\/1\.1 408/);
  });
});

describe('connections per address', () => {
  it('refuses one over the cap with 429, and takes a new one once another has closed', async () => {
    const held = await Promise.all(Array.from({ length: 4 }, open));
    const over = await open();
    await over.closed;
    expect(over.received()).toMatch(/^HTTP\/1\.1 429/);
    expect(over.received()).toContain('"code":"RATE_LIMITED"');

    held[0]!.socket.destroy();
    await held[0]!.closed;
    // The server sees the close a moment after the client: the next connection is taken once it has.
    await expect
      .poll(async () => {
        const conn = await open();
        conn.socket.end('GET /health/live HTTP/1.1\r\nHost: localhost\r\nconnection: close\r\n\r\n');
        await conn.closed;
        return conn.received().split('\r\n')[0];
      })
      .toBe('HTTP/1.1 200 OK');
    for (const conn of held) conn.socket.destroy();
  });
});
