import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Clock } from '../../clock.js';
import { rateLimited } from '../../errors.js';
import type { LimiterFactory } from '../rate-limit/limiter-factory.js';

export interface WindowLimit {
  points: number;
  windowSeconds: number;
}

/**
 * Failed-login budgets, on top of the field limits. Per identifier and address: a guesser at one
 * account from one place. Per address: one place trying many accounts. Per identifier: many places
 * spraying one account; its window is short so the real owner is slowed, never locked out for good.
 */
export const defaultLoginFailureLimits: Record<'identifierIp' | 'ip' | 'identifier', WindowLimit> = {
  identifierIp: { points: 5, windowSeconds: 15 * 60 },
  ip: { points: 100, windowSeconds: 24 * 60 * 60 },
  identifier: { points: 50, windowSeconds: 60 * 60 },
};

export interface LoginThrottle {
  /** RATE_LIMITED when any failure budget is spent; keyed by what was typed, so unknown accounts answer alike. */
  check(identifier: string, ipKey: string): Promise<void>;
  recordFailure(identifier: string, ipKey: string): Promise<void>;
  recordSuccess(identifier: string, ipKey: string): Promise<void>;
}

export function createLoginThrottle(
  makeLimiter: LimiterFactory,
  clock: Clock,
  overrides: Partial<typeof defaultLoginFailureLimits> = {},
): LoginThrottle {
  const limits = { ...defaultLoginFailureLimits, ...overrides };
  const limiter = (name: keyof typeof limits): [RateLimiterAbstract, WindowLimit] => [
    makeLimiter({ ...limits[name], keyPrefix: `login-fail:${name}` }),
    limits[name],
  ];
  const byIdentifierIp = limiter('identifierIp');
  const byIp = limiter('ip');
  const byIdentifier = limiter('identifier');
  const keysFor = (identifier: string, ip: string): [[RateLimiterAbstract, WindowLimit], string][] => [
    [byIdentifierIp, `${identifier}|${ip}`],
    [byIp, ip],
    [byIdentifier, identifier],
  ];

  return {
    async check(identifier, ip) {
      const states = await Promise.all(
        keysFor(identifier, ip).map(async ([[l, limit], key]) => ({ res: await l.get(key), limit })),
      );
      const spent = states.filter(({ res, limit }) => res && res.consumedPoints >= limit.points);
      if (spent.length === 0) return;
      const now = clock();
      const waitMs = Math.max(...spent.map(({ res }) => res?.msBeforeNext ?? 1000));
      throw rateLimited('Too many failed sign-in attempts', {
        limit: Math.min(...spent.map(({ limit }) => limit.points)),
        resetAt: new Date(now.getTime() + waitMs),
        now,
      });
    },
    async recordFailure(identifier, ip) {
      // penalty() counts without rejecting; the next check() does the refusing.
      await Promise.all(keysFor(identifier, ip).map(([[l], key]) => l.penalty(key, 1)));
    },
    async recordSuccess(identifier, ip) {
      await byIdentifierIp[0].delete(`${identifier}|${ip}`);
    },
  };
}
