import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RedisClient } from '../../redis.js';

export type LimiterFactory = (options: { points: number; windowSeconds: number; keyPrefix: string }) => RateLimiterAbstract;

/**
 * A counter's key ends in its caller as a Redis Cluster hash tag (`tollgate:rl:Query.me:FREE:{user:…}`):
 * every key of one caller hashes to one slot, so a script that touches several of a caller's counters
 * at once runs on a Cluster (which refuses keys of different slots in one command: CROSSSLOT), while
 * different callers still spread over the nodes. Each operation of the limiters today touches one key.
 */
class TaggedRateLimiterRedis extends RateLimiterRedis {
  override getKey(key: string | number): string {
    return super.getKey(`{${key}}`);
  }
}

/**
 * Counters live in Redis when it is configured, so every instance shares one budget. Each Redis
 * limiter carries an in-process insurance limiter with the same budget that takes over while
 * Redis is down: requests keep being answered, and keep being limited.
 */
export function createLimiterFactory(redis: { client: RedisClient; keyPrefix: string } | null): LimiterFactory {
  return ({ points, windowSeconds, keyPrefix }) => {
    const memory = new RateLimiterMemory({ points, duration: windowSeconds, keyPrefix });
    if (!redis) return memory;
    return new TaggedRateLimiterRedis({
      storeClient: redis.client,
      points,
      duration: windowSeconds,
      keyPrefix: `${redis.keyPrefix}:${keyPrefix}`,
      rejectIfRedisNotReady: true,
      insuranceLimiter: memory,
    });
  };
}
