import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { generateSigningJwk } from '../../src/modules/token/key-ring.js';

export interface RawMessage {
  type: string;
  id?: string;
  payload?: unknown;
}

/**
 * A graphql-transport-ws socket driven message by message, for what a well-behaved client never sends.
 * `init` sends connection_init with the token (or not at all with `init: false`).
 */
export function rawSocket(baseUrl: string, options: { token?: string | null; init?: boolean } = {}) {
  const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
  const messages: RawMessage[] = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
  socket.on('message', (data) => messages.push(JSON.parse(String(data)) as RawMessage));
  socket.on('error', () => undefined);
  const opened = new Promise<void>((resolve) => socket.once('open', () => resolve()));
  const send = async (message: unknown) => {
    await opened;
    socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  };
  if (options.init !== false) {
    void send({ type: 'connection_init', payload: options.token ? { authorization: `Bearer ${options.token}` } : {} });
  }
  let next = 0;
  return {
    socket,
    messages,
    closed,
    send,
    /** Sends a subscribe message and returns its id. */
    subscribe(query: string, variables?: Record<string, unknown>, operationName?: string) {
      const id = String(++next);
      void send({ type: 'subscribe', id, payload: { query, variables, operationName } });
      return id;
    },
    of: (id: string) => messages.filter((m) => m.id === id),
    acknowledged: () => messages.some((m) => m.type === 'connection_ack'),
    close: () => socket.close(),
  };
}

/** What a production deployment needs beyond the test defaults. */
export async function productionEnv(extra: Record<string, string> = {}) {
  return {
    NODE_ENV: 'production',
    JWT_SIGNING_KEYS: JSON.stringify([await generateSigningJwk()]),
    AUTH_HMAC_KEY: randomBytes(32).toString('base64url'),
    // These tests are about the GraphQL gate, not mail: production refuses to start without SMTP otherwise.
    MAIL_ENABLED: 'false',
    ...extra,
  };
}
