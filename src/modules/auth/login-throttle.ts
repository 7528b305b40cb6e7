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
 * other attempt spends: `identifierIp`, one account from one address (and its IPv6 /56 and /48);
 * `ip`, one address trying any accounts (credential stuffing); `identifier`, one account from all
 * unknown devices together (a spray from many addresses), which refuses only attempts without a token.
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

/** Which budgets an attempt spends, each with the key it counts under. Pure. */
export function budgetsFor({ account, addresses, device }: LoginAttempt): [LoginBudget, string][] {
  if (device !== null) return [['device', `${account}|${device}`]];
  return [
    ...addresses.map((a): [LoginBudget, string] => ['identifierIp', `${account}|${a}`]),
    ...addresses.map((a): [LoginBudget, string] => ['ip', a]),
    ['identifier', account],
  ];
}

export function createLoginThrottle(
  makeLimiter: LimiterFactory,
  clock: Clock,
  overrides: Partial<Record<LoginBudget, WindowLimit>> = {},
): LoginThrottle {
  const limits = { ...defaultLoginFailureLimits, ...overrides };
  const limiters = Object.fromEntries(
    Object.entries(limits).map(([name, limit]) => [name, makeLimiter({ ...limit, keyPrefix: `login-fail:${name}` })]),
  ) as Record<LoginBudget, RateLimiterAbstract>;

  return {
    async admit(attempt) {
      const budgets = budgetsFor(attempt);
      const results = await Promise.allSettled(budgets.map(([name, key]) => limiters[name].consume(key, 1)));
      const granted = budgets.filter((_, i) => results[i]?.status === 'fulfilled');
      const refused = results.flatMap((r, i) =>
        r.status === 'rejected' ? [{ budget: (budgets[i] as [LoginBudget, string])[0], reason: r.reason as unknown }] : [],
      );
      const giveBack = () => Promise.all(granted.map(([name, key]) => limiters[name].reward(key, 1)));
      if (refused.length > 0) {
        await giveBack();
        const failure = refused.find(({ reason }) => !(reason instanceof RateLimiterRes));
        if (failure) throw failure.reason; // the store failed: not a refusal
        return {
          admitted: false,
          refusal: refusalOf(refused as { budget: LoginBudget; reason: RateLimiterRes }[], limits, clock()),
        };
      }
      return {
        admitted: true,
        // The most specific count starts over after a success, as before; wider ones only get their point back.
        succeeded: async () => {
          const [first, ...rest] = budgets;
          await Promise.all([
            first ? limiters[first[0]].delete(first[1]) : undefined,
            ...rest.map(([name, key]) => limiters[name].reward(key, 1)),
          ]);
        },
      };
    },
  };
}

function refusalOf(
  refused: { budget: LoginBudget; reason: RateLimiterRes }[],
  limits: Record<LoginBudget, WindowLimit>,
  now: Date,
): Refusal {
  // The budget that frees up last decides when trying again can help.
  const longest = refused.reduce((a, b) => (b.reason.msBeforeNext > a.reason.msBeforeNext ? b : a));
  const resetAt = new Date(now.getTime() + longest.reason.msBeforeNext);
  return {
    budget: longest.budget,
    limit: limits[longest.budget].points,
    resetAt,
    now,
    retryAfter: retryAfterSeconds(resetAt, now),
    first: refused.some(({ budget, reason }) => reason.consumedPoints === limits[budget].points + 1),
  };
}
