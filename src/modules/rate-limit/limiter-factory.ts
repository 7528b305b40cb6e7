import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';

export type LimiterFactory = (options: { points: number; windowSeconds: number; keyPrefix: string }) => RateLimiterAbstract;

/**
 * Counters live in Redis when it is configured, so every instance shares one budget. Each Redis
 * limiter carries an in-process insurance limiter with the same budget that takes over while
 * Redis is down: requests keep being answered, and keep being limited.
 */
export function createLimiterFactory(redis: { client: Redis; keyPrefix: string } | null): LimiterFactory {
  return ({ points, windowSeconds, keyPrefix }) => {
    const memory = new RateLimiterMemory({ points, duration: windowSeconds, keyPrefix });
    if (!redis) return memory;
    return new RateLimiterRedis({
      storeClient: redis.client,
      points,
      duration: windowSeconds,
      keyPrefix: `${redis.keyPrefix}:${keyPrefix}`,
      rejectIfRedisNotReady: true,
      insuranceLimiter: memory,
    });
  };
}
