import { Redis } from 'ioredis';
import type { Logger } from './logger.js';

/**
 * The Redis connection for shared counters. Commands fail at once while it is down (no offline
 * queue), so callers fall back to in-process limits instead of waiting; it reconnects by itself.
 * Each transition between up and down is logged once.
 */
export function connectRedis(url: string, log: Logger): { client: Redis; close(): Promise<void> } {
  const client = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    lazyConnect: false,
  });
  let down = false;
  let closing = false;
  const wentDown = (reason: string) => {
    if (down || closing) return;
    down = true;
    log.warn({ reason }, 'Redis is unavailable: rate limits fall back to in-process counters');
  };
  client.on('error', (err: Error) => wentDown(err.message));
  client.on('close', () => wentDown('connection closed'));
  client.on('ready', () => {
    if (!down) return;
    down = false;
    log.info('Redis is back: rate limits are shared again');
  });
  return {
    client,
    async close() {
      closing = true;
      client.disconnect();
    },
  };
}
