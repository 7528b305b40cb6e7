import type { RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import { Tier } from '../user/tier.js';
import { rateLimitKeyForIp } from '../request/client-info.js';
import type { LimiterFactory } from './limiter-factory.js';
import { countsByAddress, limitFor, type RateLimitTable } from './rate-limit.table.js';

export interface Caller {
  tier: Tier;
  /** `user:<id>` when signed in, else the client's address (IPv6 by /64). */
  key: string;
}

/** The client's address as a caller: how anonymous calls, and every call to a byAddress field, are counted. */
export const addressCaller = (ip: string): Caller => ({ tier: Tier.FREE, key: rateLimitKeyForIp(ip) });

export interface Budget {
  field: string;
  limit: number;
  used: number;
  remaining: number;
  windowSeconds: number;
  resetAt: Date;
}

export interface RateLimitStore {
  readonly table: RateLimitTable;
  /** Who a field counts against: the address for fields declared byAddress (the caller is then never resolved). */
  callerFor(field: string, caller: () => Promise<Caller>, ip: string): Promise<Caller>;
  /** Resolves when the points were granted; rejects with the limiter's RateLimiterRes when over budget. */
  consume(field: string, caller: Caller, points: number): Promise<RateLimiterRes>;
  /** The caller's budget for a field, read without consuming any of it. */
  peek(field: string, caller: Caller, now: Date): Promise<Budget>;
  budgetOf(field: string, caller: Caller, res: RateLimiterRes, now: Date): Budget;
}

/** One limiter per field and tier, each sized from the table, counting per caller. */
export function createRateLimitStore(table: RateLimitTable, makeLimiter: LimiterFactory): RateLimitStore {
  const limiters = new Map<string, RateLimiterAbstract>();
  const limiterFor = (field: string, tier: Tier) => {
    const id = `${field}:${tier}`;
    let limiter = limiters.get(id);
    if (!limiter) {
      const { points, windowSeconds } = limitFor(table, field, tier);
      limiter = makeLimiter({ points, windowSeconds, keyPrefix: `rl:${id}` });
      limiters.set(id, limiter);
    }
    return limiter;
  };

  const budgetOf = (field: string, caller: Caller, res: RateLimiterRes | null, now: Date): Budget => {
    const { points, windowSeconds } = limitFor(table, field, caller.tier);
    const used = Math.min(points, res?.consumedPoints ?? 0);
    const msLeft = res ? res.msBeforeNext : windowSeconds * 1000;
    return { field, limit: points, used, remaining: points - used, windowSeconds, resetAt: new Date(now.getTime() + msLeft) };
  };

  return {
    table,
    callerFor: (field, caller, ip) => (countsByAddress(table, field) ? Promise.resolve(addressCaller(ip)) : caller()),
    consume: (field, caller, points) => limiterFor(field, caller.tier).consume(caller.key, points),
    async peek(field, caller, now) {
      return budgetOf(field, caller, await limiterFor(field, caller.tier).get(caller.key), now);
    },
    budgetOf,
  };
}
