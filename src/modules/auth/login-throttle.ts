import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Clock } from '../../clock.js';
import { retryAfterSeconds } from '../../errors.js';
import type { LimiterFactory } from '../rate-limit/limiter-factory.js';

export interface WindowLimit {
  points: number;
  windowSeconds: number;
}

export type LoginBudget = 'device' | 'identifierIp' | 'ip' | 'identifier';

/**
 * Failed-login budgets, on top of the field limits. A client proving it signed into the account before
 * (a device token) spends only its own `device` budget, so no one else's failures can lock it out. Every
 * other attempt spends: `identifierIp`, one spelling of an account (its email or its username, as typed
 * and normalised) from one address (and its IPv6 /56 and /48); `ip`, one address trying any accounts
 * (credential stuffing); `identifier`, one account from all unknown devices together (a spray from many
 * addresses), which refuses only attempts without a token. An IPv6 /56 and /48 get 10 and 100 times the
 * per-address budgets (see addressScale).
 */
export const defaultLoginFailureLimits: Record<LoginBudget, WindowLimit> = {
  device: { points: 10, windowSeconds: 15 * 60 },
  identifierIp: { points: 5, windowSeconds: 15 * 60 },
  ip: { points: 100, windowSeconds: 24 * 60 * 60 },
  identifier: { points: 50, windowSeconds: 60 * 60 },
};

/** Development only: a developer mistyping their test account's password is not an attack worth a lockout. */
export const developmentLoginFailureLimits: Record<LoginBudget, WindowLimit> = {
  device: { points: 1000, windowSeconds: 15 * 60 },
  identifierIp: { points: 1000, windowSeconds: 15 * 60 },
  ip: { points: 100_000, windowSeconds: 24 * 60 * 60 },
  identifier: { points: 10_000, windowSeconds: 60 * 60 },
};

export interface LoginAttempt {
  /** The account (`user:<id>`), or for an unknown identifier its canonical form: one budget per account. */
  account: string;
  /**
   * The identifier as typed, normalised (`name:<canonical>`). The per-address budget counts it, not the
   * account: were it shared by an account's email and username, failures under one spelling refusing the
   * other would tell a stranger that the two are one account.
   */
  spelling: string;
  /** The client's address keys, most specific first (see addressKeys). */
  addresses: readonly string[];
  /** The device id from a valid device token for this account, else null. */
  device: string | null;
}

export interface Refusal {
  budget: LoginBudget;
  limit: number;
  resetAt: Date;
  /** When the refusal was decided, by the injected clock. */
  now: Date;
  retryAfter: number;
  /** The first refusal of this budget's window: worth a security event, the rest only a log line. */
  first: boolean;
}

export type Admission =
  | { admitted: true /** Gives back what the attempt spent: it was the owner. */; succeeded(): Promise<void> }
  | { admitted: false; refusal: Refusal };

export interface LoginThrottle {
  /**
   * Spends one point of every budget the attempt falls under before any password work, atomically, so N
   * parallel guesses count as N. Over any budget, the attempt is refused and gives back the others.
   */
  admit(attempt: LoginAttempt): Promise<Admission>;
}

/**
 * How many times the budget of one address (an IPv4 address or an IPv6 /64) an address key gets: 10 for
 * a /56, 100 for a /48 (ten times per 8 bits). One /64 spending its whole budget then uses a tenth of its
 * /56's and a hundredth of its /48's, and cannot lock out its neighbours; rotating through many /64s of one
 * allocation still runs into the wider budgets. Pure.
 */
export function addressScale(addressKey: string): number {
  const prefix = /^ip6:.*\/(\d+)$/.exec(addressKey);
  if (!prefix) return 1;
  const bits = Math.min(64, Math.max(0, Number(prefix[1])));
  return 10 ** Math.round((64 - bits) / 8);
}

export interface BudgetKey {
  budget: LoginBudget;
  key: string;
  /** The multiple of the budget's points this key gets (see addressScale). */
  scale: number;
}

/** Which budgets an attempt spends, each with the key it counts under and its scale. Pure. */
export function budgetsFor({ account, spelling, addresses, device }: LoginAttempt): BudgetKey[] {
  if (device !== null) return [{ budget: 'device', key: `${account}|${device}`, scale: 1 }];
  return [
    ...addresses.map((a): BudgetKey => ({ budget: 'identifierIp', key: `${spelling}|${a}`, scale: addressScale(a) })),
    ...addresses.map((a): BudgetKey => ({ budget: 'ip', key: a, scale: addressScale(a) })),
    { budget: 'identifier', key: account, scale: 1 },
  ];
}

export function createLoginThrottle(
  makeLimiter: LimiterFactory,
  clock: Clock,
  overrides: Partial<Record<LoginBudget, WindowLimit>> = {},
): LoginThrottle {
  const limits = { ...defaultLoginFailureLimits, ...overrides };
  // One limiter per budget and scale, made on first use (three scales at most).
  const limiters = new Map<string, RateLimiterAbstract>();
  const limiterOf = ({ budget, scale }: BudgetKey) => {
    const name = `${budget}x${scale}`;
    let limiter = limiters.get(name);
    if (!limiter) {
      const limit = limits[budget];
      limiter = makeLimiter({ ...limit, points: limit.points * scale, keyPrefix: `login-fail:${budget}` });
      limiters.set(name, limiter);
    }
    return limiter;
  };

  return {
    async admit(attempt) {
      const budgets = budgetsFor(attempt);
      const results = await Promise.allSettled(budgets.map((b) => limiterOf(b).consume(b.key, 1)));
      const granted = budgets.filter((_, i) => results[i]?.status === 'fulfilled');
      const refused = results.flatMap((r, i) =>
        r.status === 'rejected' ? [{ spent: budgets[i] as BudgetKey, reason: r.reason as unknown }] : [],
      );
      const giveBack = () => Promise.all(granted.map((b) => limiterOf(b).reward(b.key, 1)));
      if (refused.length > 0) {
        await giveBack();
        const failure = refused.find(({ reason }) => !(reason instanceof RateLimiterRes));
        if (failure) throw failure.reason; // the store failed: not a refusal
        return {
          admitted: false,
          refusal: refusalOf(refused as { spent: BudgetKey; reason: RateLimiterRes }[], limits, clock()),
        };
      }
      return {
        admitted: true,
        // The most specific count starts over after a success, as before; wider ones only get their point back.
        succeeded: async () => {
          const [first, ...rest] = budgets;
          await Promise.all([
            first ? limiterOf(first).delete(first.key) : undefined,
            ...rest.map((b) => limiterOf(b).reward(b.key, 1)),
          ]);
        },
      };
    },
  };
}

function refusalOf(
  refused: { spent: BudgetKey; reason: RateLimiterRes }[],
  limits: Record<LoginBudget, WindowLimit>,
  now: Date,
): Refusal {
  const pointsOf = ({ budget, scale }: BudgetKey) => limits[budget].points * scale;
  // The budget that frees up last decides when trying again can help.
  const longest = refused.reduce((a, b) => (b.reason.msBeforeNext > a.reason.msBeforeNext ? b : a));
  const resetAt = new Date(now.getTime() + longest.reason.msBeforeNext);
  return {
    budget: longest.spent.budget,
    limit: pointsOf(longest.spent),
    resetAt,
    now,
    retryAfter: retryAfterSeconds(resetAt, now),
    first: refused.some(({ spent, reason }) => reason.consumedPoints === pointsOf(spent) + 1),
  };
}
