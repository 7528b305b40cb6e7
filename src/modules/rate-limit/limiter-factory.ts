import { createHmac } from 'node:crypto';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RedisClient } from '../../redis.js';

export type LimiterFactory = (options: { points: number; windowSeconds: number; keyPrefix: string }) => RateLimiterAbstract;

/**
 * A Redis limiter whose keys name no one, and keep each caller's keys in one Cluster slot. The caller part
 * (an address, an email, an account, an IP) is replaced by its HMAC, so listing the keys (an operator, a
 * monitoring tool, a dump) reveals nobody, while every instance holding the key still counts one caller
 * under one name; the limiter's own prefix (which budget) stays readable. That hash is a Redis Cluster hash
 * tag (`tollgate:rl:Query.me:FREE:{…}`): every key of one caller hashes to one slot, so a script that
 * touches several of a caller's counters runs on a Cluster (which refuses keys of different slots in one
 * command: CROSSSLOT), while callers still spread over the nodes. Every limiter Tollgate makes comes
 * through here, so no caller can forget either.
 */
class KeyedRateLimiterRedis extends RateLimiterRedis {
  private keyHash: (key: string) => string = (key) => key;

  static create(options: ConstructorParameters<typeof RateLimiterRedis>[0], hashKey: Uint8Array): KeyedRateLimiterRedis {
    const limiter = new KeyedRateLimiterRedis(options);
    limiter.keyHash = (key) => createHmac('sha256', hashKey).update(`redis-key\0${key}`).digest('base64url').slice(0, 32);
    return limiter;
  }

  override getKey(key: string | number): string {
    return super.getKey(`{${this.keyHash(String(key))}}`);
  }
}

/**
 * Counters live in Redis when it is configured, so every instance shares one budget. Each Redis
 * limiter carries an in-process insurance limiter with the same budget that takes over while
 * Redis is down: requests keep being answered, and keep being limited. `hashKey` keys the names of
 * the Redis keys (see KeyedRateLimiterRedis).
 */
export function createLimiterFactory(
  redis: { client: RedisClient; keyPrefix: string; hashKey: Uint8Array } | null,
): LimiterFactory {
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
