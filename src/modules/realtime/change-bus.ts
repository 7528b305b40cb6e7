import { EventEmitter } from 'node:events';
import type { EntityManager } from '@mikro-orm/postgresql';
import pg from 'pg';
import { firstRow, statement } from '../../db/sql.js';
import type { Logger } from '../../logger.js';

const PROGRESS = 'tollgate_progress';
const SESSIONS = 'tollgate_sessions_ended';

export interface SessionsEnded {
  userId: string;
  /** null: every session of the user. */
  sessionId: string | null;
}

/**
 * Tells every API instance that a resource's progress changed, or that sessions ended. Postgres
 * LISTEN/NOTIFY rather than Redis pub/sub: Postgres is always there (Redis is optional), and the
 * writer already holds a connection to it. Payloads carry ids only; listeners read the state.
 */
export interface ChangeBus {
  publishProgress(resourceId: string): Promise<void>;
  publishSessionsEnded(event: SessionsEnded): Promise<void>;
  onProgress(resourceId: string, listener: () => void): () => void;
  onSessionsEnded(listener: (event: SessionsEnded) => void): () => void;
  close(): Promise<void>;
}

/** One instance only (the embedded database allows a single connection): an in-process emitter. */
export function createLocalBus(): ChangeBus {
  const emitter = new EventEmitter().setMaxListeners(0);
  return {
    async publishProgress(resourceId) {
      emitter.emit(`${PROGRESS}:${resourceId}`);
    },
    async publishSessionsEnded(event) {
      emitter.emit(SESSIONS, event);
    },
    onProgress(resourceId, listener) {
      emitter.on(`${PROGRESS}:${resourceId}`, listener);
      return () => emitter.off(`${PROGRESS}:${resourceId}`, listener);
    },
    onSessionsEnded(listener) {
      emitter.on(SESSIONS, listener);
      return () => emitter.off(SESSIONS, listener);
    },
    async close() {
      emitter.removeAllListeners();
    },
  };
}

const NOTIFY = statement<{ channel: string; payload: string }>('select pg_notify(:channel, :payload)');

/** A dedicated LISTEN connection per instance, reconnecting on loss; NOTIFY goes through the ORM's pool on `em`. */
export async function createPostgresBus(url: string, em: EntityManager, log: Logger): Promise<ChangeBus> {
  const local = createLocalBus();
  const notify = (channel: string, payload: string) => firstRow(em, NOTIFY, { channel, payload });
  let client: pg.Client | null = null;
  let closed = false;

  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: url });
    c.on('notification', (msg) => {
      if (!msg.payload) return;
      if (msg.channel === PROGRESS) void local.publishProgress(msg.payload);
      if (msg.channel === SESSIONS) void local.publishSessionsEnded(JSON.parse(msg.payload) as SessionsEnded);
    });
    c.on('error', (err) => {
      log.warn({ err: { message: err.message } }, 'change listener lost its connection; reconnecting');
      client = null;
      void c.end().catch(() => undefined);
      if (!closed) setTimeout(() => void connect().catch(() => undefined), 500).unref();
    });
    await c.connect();
    await c.query(`LISTEN ${PROGRESS}`);
    await c.query(`LISTEN ${SESSIONS}`);
    client = c;
  };
  await connect();

  return {
    publishProgress: (resourceId) => notify(PROGRESS, resourceId).then(() => undefined),
    publishSessionsEnded: (event) => notify(SESSIONS, JSON.stringify(event)).then(() => undefined),
    onProgress: local.onProgress,
    onSessionsEnded: local.onSessionsEnded,
    async close() {
      closed = true;
      await client?.end().catch(() => undefined);
      await local.close();
    },
  };
}
