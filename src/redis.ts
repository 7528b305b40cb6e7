import { Redis, type Command } from 'ioredis';
import type { Logger } from './logger.js';
import { capped } from './backoff.js';

export interface RedisSettings {
  url: string;
  connectTimeoutMs: number;
  commandTimeoutMs: number;
}

export interface RedisHandle {
  client: Redis;
  /** null while Redis serves; otherwise why it does not (readiness reports it). */
  problem(): string | null;
  close(): Promise<void>;
}

/**
 * The Redis connection for shared counters. While it is down, refused, or hung, commands fail at
 * once (no offline queue; the rate limiters see a connection that is not ready) and callers fall
 * back to in-process limits instead of waiting. A command that gets no answer within
 * commandTimeoutMs counts as an outage: the connection is dropped, so later commands fail at once
 * too, and reconnection (with a capped, jittered backoff) brings it back. Each transition is logged once.
 */
export function connectRedis({ url, connectTimeoutMs, commandTimeoutMs }: RedisSettings, log: Logger): RedisHandle {
  let problem: string | null = 'connecting';
  let closing = false;
  const wentDown = (reason: string) => {
    if (closing) return;
    const wasUp = problem === null || problem === 'connecting';
    problem = reason;
    if (wasUp) log.warn({ reason }, 'Redis is unavailable: rate limits fall back to in-process counters');
  };

  class WatchedRedis extends Redis {
    // The one place every command passes: a timeout here means Redis is hung (a paused process, a
    // black-holed network), which no socket event would ever report.
    override sendCommand(command: Command, stream?: Parameters<Redis['sendCommand']>[1]) {
      const result = super.sendCommand(command, stream);
      command.promise.catch((err: Error) => {
        if (err.message !== 'Command timed out' || closing) return;
        wentDown(`command timed out after ${commandTimeoutMs} ms`);
        if (this.status === 'ready' || this.status === 'connect') this.disconnect(true);
      });
      return result;
    }
  }

  const client = new WatchedRedis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: connectTimeoutMs,
    commandTimeout: commandTimeoutMs,
    retryStrategy: (attempt) => capped(attempt, { baseMs: 100, maxMs: 2000 }),
    lazyConnect: false,
  });
  client.on('error', (err: Error) => wentDown(err.message));
  client.on('close', () => problem === null && wentDown('connection closed'));
  client.on('ready', () => {
    const wasDown = problem !== 'connecting';
    problem = null;
    if (wasDown) log.info('Redis is back: rate limits are shared again');
  });
  return {
    client,
    problem: () => problem,
    async close() {
      closing = true;
      client.disconnect();
    },
  };
}
