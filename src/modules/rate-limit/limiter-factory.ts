import { createHmac } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';

export type LimiterFactory = (options: { points: number; windowSeconds: number; keyPrefix: string }) => RateLimiterAbstract;

/**
 * A Redis limiter whose keys name no one: the caller part (an address, an email, an account, an IP) is
 * replaced by its HMAC, so listing the keys (an operator, a monitoring tool, a dump) reveals nobody, while
 * every instance holding the key still counts one caller under one name. The limiter's own prefix (which
 * budget) stays readable. Every limiter Tollgate makes comes through here, so no caller can forget it.
 */
class KeyedRateLimiterRedis extends RateLimiterRedis {
  private keyHash: (key: string) => string = (key) => key;

  static create(options: ConstructorParameters<typeof RateLimiterRedis>[0], hashKey: Uint8Array): KeyedRateLimiterRedis {
    const limiter = new KeyedRateLimiterRedis(options);
    limiter.keyHash = (key) => createHmac('sha256', hashKey).update(`redis-key\0${key}`).digest('base64url').slice(0, 32);
    return limiter;
  }

  override getKey(key: string | number): string {
    return super.getKey(this.keyHash(String(key)));
  }
}

/**
 * Counters live in Redis when it is configured, so every instance shares one budget. Each Redis
 * limiter carries an in-process insurance limiter with the same budget that takes over while
 * Redis is down: requests keep being answered, and keep being limited. `hashKey` keys the names of
 * the Redis keys (see KeyedRateLimiterRedis).
 */
export function createLimiterFactory(redis: { client: Redis; keyPrefix: string; hashKey: Uint8Array } | null): LimiterFactory {
  return ({ points, windowSeconds, keyPrefix }) => {
    const memory = new RateLimiterMemory({ points, duration: windowSeconds, keyPrefix });
    if (!redis) return memory;
    return KeyedRateLimiterRedis.create(
      {
        storeClient: redis.client,
        points,
        duration: windowSeconds,
        keyPrefix: `${redis.keyPrefix}:${keyPrefix}`,
        rejectIfRedisNotReady: true,
        insuranceLimiter: memory,
      },
      redis.hashKey,
    );
  };
}
