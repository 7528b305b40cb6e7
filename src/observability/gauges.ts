import type { Clock } from '../clock.js';
import type { Metrics } from './metrics.js';

/** What the gauges read, each at scrape time, from the pieces the composition root built. */
export interface GaugeSources {
  clock: Clock;
  /** The outbox's backlog (one query, shared by the two gauges that read it). */
  outbox(): Promise<{ pending: number; oldest: Date | null }>;
  breakerOpen(): boolean;
  busConnected(): boolean;
  /** Redis is configured and unavailable: the rate limits count in-process. */
  redisFallback(): boolean;
  pool(): { numUsed(): number; numPendingAcquires(): number } | undefined;
  subscriptions(): { sockets: number; subscriptions: number };
  threadPoolSize: number;
}

const flag = (on: boolean) => (on ? 1 : 0);

export function registerGauges(metrics: Metrics, sources: GaugeSources): void {
  const outbox = oncePerScrape(sources.outbox);
  const gauges: [string, string, () => number | Promise<number>][] = [
    ['tollgate_mail_outbox_pending', 'Mail waiting in the outbox to be sent.', async () => (await outbox()).pending],
    [
      'tollgate_mail_outbox_oldest_seconds',
      'Age of the oldest mail waiting to be sent, in seconds; 0 when none waits.',
      async () => {
        const { oldest } = await outbox();
        return oldest ? Math.max(0, (sources.clock().getTime() - oldest.getTime()) / 1000) : 0;
      },
    ],
    [
      'tollgate_mail_breaker_open',
      '1 while the SMTP circuit breaker is open (mail waits), else 0.',
      () => flag(sources.breakerOpen()),
    ],
    [
      'tollgate_change_bus_connected',
      '1 while the cross-instance change bus receives changes, else 0.',
      () => flag(sources.busConnected()),
    ],
    [
      'tollgate_redis_fallback_active',
      '1 while Redis is configured but unavailable and rate limits use in-process counters, else 0.',
      () => flag(sources.redisFallback()),
    ],
    [
      'tollgate_password_hashes_waiting',
      'argon2 calls waiting for a thread: those in flight beyond UV_THREADPOOL_SIZE (the pool is shared, so a floor).',
      async () => Math.max(0, ((await metrics.hashesInFlight.get()).values[0]?.value ?? 0) - sources.threadPoolSize),
    ],
    ['tollgate_db_pool_in_use', 'Database connections checked out of the pool.', () => sources.pool()?.numUsed() ?? 0],
    ['tollgate_db_pool_waiting', 'Requests waiting for a database connection.', () => sources.pool()?.numPendingAcquires() ?? 0],
    ['tollgate_websocket_connections', 'Open WebSocket connections on this instance.', () => sources.subscriptions().sockets],
    ['tollgate_subscriptions_active', 'Subscriptions running on this instance.', () => sources.subscriptions().subscriptions],
  ];
  for (const [name, help, collect] of gauges) metrics.gauge(name, help, collect);
}

/** One answer for the gauges of one scrape that read the same rows: the promise is kept for a second. */
function oncePerScrape<T>(read: () => Promise<T>): () => Promise<T> {
  let last: { at: number; value: Promise<T> } | null = null;
  return () => {
    const now = performance.now();
    if (!last || now - last.at > 1000) last = { at: now, value: read() };
    return last.value;
  };
}
