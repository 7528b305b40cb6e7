import { EventEmitter } from 'node:events';
import type { EntityManager } from '@mikro-orm/postgresql';
import pg from 'pg';
import { firstRow, statement } from '../../db/sql.js';
import { capped } from '../../backoff.js';
import type { Logger } from '../../logger.js';

const PROGRESS = 'tollgate_progress';
const SESSIONS = 'tollgate_sessions_ended';
const WORKER_KEYS = 'tollgate_worker_keys_revoked';
const RECONNECTED = 'reconnected';

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
  /**
   * The Postgres channel progress changes go out on, for a write that NOTIFYs in its own statement (one
   * round trip instead of two, and heard only once the write commits); null for the in-process bus,
   * which hears of a change only through publishProgress.
   */
  readonly progressChannel: string | null;
  publishProgress(resourceId: string): Promise<void>;
  publishSessionsEnded(event: SessionsEnded): Promise<void>;
  /** A service account's key was revoked: every instance forgets it had found that key live. */
  publishWorkerKeyRevoked(serviceAccountId: string): Promise<void>;
  onProgress(resourceId: string, listener: () => void): () => void;
  onSessionsEnded(listener: (event: SessionsEnded) => void): () => void;
  onWorkerKeyRevoked(listener: (serviceAccountId: string) => void): () => void;
  /** After an outage, when changes may have been missed: listeners re-check what they hold. */
  onReconnect(listener: () => void): () => void;
  /** null while changes arrive; otherwise why they do not (readiness reports it). */
  problem(): string | null;
  close(): Promise<void>;
}

/** One instance only (the embedded database allows a single connection): an in-process emitter. */
export function createLocalBus(): ChangeBus & { replay(): void } {
  const emitter = new EventEmitter().setMaxListeners(0);
  return {
    progressChannel: null,
    async publishProgress(resourceId) {
      emitter.emit(`${PROGRESS}:${resourceId}`);
    },
    async publishSessionsEnded(event) {
      emitter.emit(SESSIONS, event);
    },
    async publishWorkerKeyRevoked(serviceAccountId) {
      emitter.emit(WORKER_KEYS, serviceAccountId);
    },
    onProgress(resourceId, listener) {
      emitter.on(`${PROGRESS}:${resourceId}`, listener);
      return () => emitter.off(`${PROGRESS}:${resourceId}`, listener);
    },
    onSessionsEnded(listener) {
      emitter.on(SESSIONS, listener);
      return () => emitter.off(SESSIONS, listener);
    },
    onWorkerKeyRevoked(listener) {
      emitter.on(WORKER_KEYS, listener);
      return () => emitter.off(WORKER_KEYS, listener);
    },
    onReconnect(listener) {
      emitter.on(RECONNECTED, listener);
      return () => emitter.off(RECONNECTED, listener);
    },
    problem: () => null,
    /** Every watched resource as changed, so each subscription reads and sends its current state. */
    replay() {
      for (const name of emitter.eventNames()) {
        if (typeof name === 'string' && name.startsWith(`${PROGRESS}:`)) emitter.emit(name);
      }
      emitter.emit(RECONNECTED);
    },
    async close() {
      emitter.removeAllListeners();
    },
  };
}

const NOTIFY = statement<{ channel: string; payload: string }>('select pg_notify(:channel, :payload)');

export interface BusSettings {
  url: string;
  /** Deadline for opening the listening connection and for its LISTEN statements. */
  timeoutMs: number;
  /** Cap of the reconnect backoff. */
  reconnectMaxMs: number;
}

/**
 * A dedicated LISTEN connection per instance; NOTIFY goes through the ORM's pool on `em`. When the
 * connection is lost it reconnects for as long as the process lives, with a capped, jittered
 * backoff; once back, every live subscription is sent its current state (what changed meanwhile
 * was not heard) and reconnect listeners re-check what they hold.
 */
export async function createPostgresBus(
  { url, timeoutMs, reconnectMaxMs }: BusSettings,
  em: EntityManager,
  log: Logger,
): Promise<ChangeBus> {
  const local = createLocalBus();
  const notify = (channel: string, payload: string) => firstRow(em, NOTIFY, { channel, payload });
  let current: pg.Client | null = null;
  let problem: string | null = null;
  let closed = false;
  let attempt = 0;
  let retry: NodeJS.Timeout | undefined;

  const listen = async (): Promise<void> => {
    const c = new pg.Client({
      connectionString: url,
      connectionTimeoutMillis: timeoutMs,
      query_timeout: timeoutMs,
      keepAlive: true,
    });
    let dropped = false;
    const drop = (reason: string) => {
      if (dropped) return;
      dropped = true;
      void c.end().catch(() => undefined);
      if (current === c) {
        current = null;
        wentDown(reason);
      }
    };
    c.on('notification', (msg) => {
      if (!msg.payload) return;
      if (msg.channel === PROGRESS) void local.publishProgress(msg.payload);
      if (msg.channel === SESSIONS) void local.publishSessionsEnded(JSON.parse(msg.payload) as SessionsEnded);
      if (msg.channel === WORKER_KEYS) void local.publishWorkerKeyRevoked(msg.payload);
    });
    c.on('error', (err) => drop(err.message));
    c.on('end', () => drop('connection closed'));
    try {
      await c.connect();
      await c.query(`LISTEN ${PROGRESS}`);
      await c.query(`LISTEN ${SESSIONS}`);
      await c.query(`LISTEN ${WORKER_KEYS}`);
    } catch (error) {
      drop(error instanceof Error ? error.message : 'connect failed');
      throw error;
    }
    if (dropped) throw new Error('connection lost while subscribing');
    if (closed) {
      await c.end().catch(() => undefined);
      return;
    }
    current = c;
  };

  const wentDown = (reason: string) => {
    if (closed) return;
    if (problem === null) log.warn({ reason }, 'change bus lost its connection: reconnecting');
    problem = reason;
    scheduleReconnect();
  };
  const scheduleReconnect = () => {
    attempt++;
    retry = setTimeout(
      () => {
        listen().then(
          () => {
            if (closed) return;
            log.info({ attempts: attempt }, 'change bus reconnected: sending subscribers their current state');
            attempt = 0;
            problem = null;
            local.replay();
          },
          (error: unknown) => {
            if (closed) return;
            problem = error instanceof Error ? error.message : 'connect failed';
            scheduleReconnect();
          },
        );
      },
      capped(attempt, { baseMs: 100, maxMs: reconnectMaxMs }),
    );
    retry.unref();
  };

  await listen();

  return {
    progressChannel: PROGRESS,
    publishProgress: (resourceId) => notify(PROGRESS, resourceId).then(() => undefined),
    publishSessionsEnded: (event) => notify(SESSIONS, JSON.stringify(event)).then(() => undefined),
    publishWorkerKeyRevoked: (serviceAccountId) => notify(WORKER_KEYS, serviceAccountId).then(() => undefined),
    onProgress: local.onProgress,
    onSessionsEnded: local.onSessionsEnded,
    onWorkerKeyRevoked: local.onWorkerKeyRevoked,
    onReconnect: local.onReconnect,
    problem: () => problem,
    async close() {
      closed = true;
      clearTimeout(retry);
      await current?.end().catch(() => undefined);
      await local.close();
    },
  };
}
