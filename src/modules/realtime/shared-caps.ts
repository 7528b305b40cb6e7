import { createHmac, randomUUID } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import type { Logger } from '../../logger.js';

/**
 * Per-user caps (sockets, subscriptions) counted across every instance, in Redis: one sorted set per user
 * and kind, a member per live socket or subscription, scored with when it lapses. Each instance refreshes its
 * own members while they live, so a crashed instance's entries lapse within TTL_MS instead of holding a
 * user's slots forever. Taking a slot is one Lua script (drop lapsed, count, add), atomic across instances.
 * Key names carry a keyed hash of the user, never the id. When Redis does not answer, the instance's own
 * count (always checked first) is the cap: refusing every subscription over a Redis outage would be worse.
 */
export interface SharedCaps {
  /** true when the slot was taken (or Redis could not be asked); false when the user is at `limit`. */
  take(kind: 'socket' | 'subscription', userId: string, slot: string, limit: number): Promise<boolean>;
  release(kind: 'socket' | 'subscription', userId: string, slot: string): void;
  close(): void;
}

const TTL_MS = 60_000;

const TAKE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1`;

export function createSharedCaps(deps: {
  client: Redis | Cluster;
  keyPrefix: string;
  hashKey: Uint8Array;
  log: Logger;
}): SharedCaps {
  const { client, log } = deps;
  const instance = randomUUID();
  /** This instance's live slots: Redis key → members, refreshed until released. */
  const live = new Map<string, Set<string>>();
  const keyOf = (kind: string, userId: string) =>
    `${deps.keyPrefix}:ws-${kind}:${createHmac('sha256', deps.hashKey).update(`ws-user\0${userId}`).digest('base64url').slice(0, 32)}`;
  const memberOf = (slot: string) => `${instance}:${slot}`;

  const refresh = setInterval(() => {
    const until = Date.now() + TTL_MS;
    for (const [key, members] of live) {
      if (members.size === 0) continue;
      client
        .zadd(key, 'XX', ...[...members].flatMap((m) => [until, m]))
        .catch((err: unknown) => log.warn({ err: { message: (err as Error).message } }, 'could not refresh shared caps'));
    }
  }, TTL_MS / 3);
  refresh.unref();

  return {
    async take(kind, userId, slot, limit) {
      const key = keyOf(kind, userId);
      const member = memberOf(slot);
      const now = Date.now();
      try {
        const taken = await client.eval(TAKE, 1, key, now, now + TTL_MS, limit, member, TTL_MS * 2);
        if (taken !== 1) return false;
      } catch (err) {
        log.warn({ err: { message: (err as Error).message }, kind }, 'shared caps unavailable: counting this instance only');
      }
      const members = live.get(key) ?? new Set<string>();
      members.add(member);
      live.set(key, members);
      return true;
    },
    release(kind, userId, slot) {
      const key = keyOf(kind, userId);
      const member = memberOf(slot);
      const members = live.get(key);
      members?.delete(member);
      if (members?.size === 0) live.delete(key);
      client.zrem(key, member).catch(() => undefined); // lapses within TTL_MS anyway
    },
    close() {
      clearInterval(refresh);
      for (const [key, members] of live) if (members.size) client.zrem(key, ...members).catch(() => undefined);
      live.clear();
    },
  };
}
