import { Cluster, Redis, type ClusterNode, type Command, type RedisOptions } from 'ioredis';
import type { RedisTarget } from './config.js';
import type { Logger } from './logger.js';
import { capped } from './backoff.js';

export interface RedisSettings {
  target: RedisTarget;
  connectTimeoutMs: number;
  commandTimeoutMs: number;
}

export type RedisClient = Redis | Cluster;

export interface RedisHandle {
  client: RedisClient;
  /** null while Redis serves; otherwise why it does not (readiness reports it). */
  problem(): string | null;
  /** How Redis is reached and the node(s) that serve now: the master a Sentinel named, a Cluster's masters. */
  serving(): { mode: RedisTarget['kind']; nodes: string[] };
  close(): Promise<void>;
}

const TIMED_OUT = 'Command timed out';

/**
 * The Redis connection for shared counters: one server (REDIS_URL), the master a set of Sentinels names
 * (ioredis asks them again on every reconnect, so a failover is followed), or a Cluster. While it is
 * down, refused, or hung, commands fail at once (no offline queue; the rate limiters see a connection
 * that is not ready) and callers fall back to in-process limits instead of waiting. A command that gets
 * no answer within commandTimeoutMs counts as an outage: the connection is dropped, so later commands
 * fail at once too, and reconnection (with a capped, jittered backoff) brings it back. Each transition
 * is logged once.
 */
export function connectRedis({ target, connectTimeoutMs, commandTimeoutMs }: RedisSettings, log: Logger): RedisHandle {
  let problem: string | null = 'connecting';
  let closing = false;
  const wentDown = (reason: string) => {
    if (closing) return;
    const wasUp = problem === null || problem === 'connecting';
    problem = reason;
    if (wasUp) log.warn({ reason }, 'Redis is unavailable: rate limits fall back to in-process counters');
  };
  // The one place every command passes: a timeout there means Redis is hung (a paused process, a
  // black-holed network), which no socket event would ever report.
  const watch = (client: RedisClient, command: Command) =>
    command.promise.catch((err: Error) => {
      if (err.message !== TIMED_OUT || closing) return;
      wentDown(`command timed out after ${commandTimeoutMs} ms`);
      if (client.status === 'ready' || client.status === 'connect') client.disconnect(true);
    });

  const retryStrategy = (attempt: number) => capped(attempt, { baseMs: 100, maxMs: 2000 });
  const options: RedisOptions = {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: connectTimeoutMs,
    commandTimeout: commandTimeoutMs,
    retryStrategy,
    lazyConnect: false,
  };

  let client: RedisClient;
  if (target.kind === 'cluster') {
    class WatchedCluster extends Cluster {
      override sendCommand(command: Command, stream?: Parameters<Cluster['sendCommand']>[1], node?: unknown) {
        const result = super.sendCommand(command, stream, node);
        void watch(this, command);
        return result;
      }
    }
    client = new WatchedCluster(target.nodes as ClusterNode[], {
      enableOfflineQueue: false,
      clusterRetryStrategy: retryStrategy,
      // A hung node must not hold up learning the slots from the others.
      slotsRefreshTimeout: commandTimeoutMs,
      redisOptions: options,
    });
  } else {
    class WatchedRedis extends Redis {
      override sendCommand(command: Command, stream?: Parameters<Redis['sendCommand']>[1]) {
        const result = super.sendCommand(command, stream);
        void watch(this, command);
        return result;
      }
    }
    client =
      target.kind === 'url'
        ? new WatchedRedis(target.url, options)
        : new WatchedRedis({
            ...options,
            sentinels: target.sentinels.map(({ host, port }) => ({ host, port })),
            name: target.name,
            sentinelRetryStrategy: retryStrategy,
          });
  }
  client.on('error', (err: Error) => wentDown(err.message));
  client.on('close', () => problem === null && wentDown('connection closed'));
  client.on('ready', () => {
    const wasDown = problem !== 'connecting';
    problem = null;
    if (wasDown) log.info({ serving: servingNodes() }, 'Redis is back: rate limits are shared again');
  });

  const servingNodes = (): string[] => {
    if (client instanceof Cluster) return client.nodes('master').map(({ options: o }) => `${o.host}:${o.port}`);
    const { remoteAddress, remotePort } = client.stream ?? {};
    if (client.status === 'ready' && remoteAddress) return [`${remoteAddress}:${remotePort}`];
    return [];
  };
  return {
    client,
    problem: () => problem,
    serving: () => ({ mode: target.kind, nodes: servingNodes() }),
    async close() {
      closing = true;
      client.disconnect();
    },
  };
}
