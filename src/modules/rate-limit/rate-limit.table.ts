import { Tier } from '../user/tier.js';

/** A field's budget per tier within one window. */
export interface FieldLimit {
  FREE: number;
  PREMIUM: number;
  ADMIN: number;
  windowSeconds: number;
  /**
   * Counted per client address, as FREE, whoever calls: for fields that act before anyone is signed in
   * (sign-up, sign-in, token exchange), where a token or a worker's key must not buy extra attempts.
   */
  byAddress?: true;
}
export type RateLimitTable = Readonly<Record<string, Readonly<FieldLimit>>>;

const perMinute = (free: number, premium = free * 10, admin = free * 100): FieldLimit => ({
  FREE: free,
  PREMIUM: premium,
  ADMIN: admin,
  windowSeconds: 60,
});

/** A field used before sign-in: one budget per client address, whatever token comes with the call. */
const beforeSignIn = (perAddress: number, windowSeconds = 60): FieldLimit => ({
  FREE: perAddress,
  PREMIUM: perAddress,
  ADMIN: perAddress,
  windowSeconds,
  byAddress: true,
});

/**
 * The default budgets. Anonymous callers count as FREE, keyed by IP. Sign-up is per hour because
 * accounts are what spammers farm; login brute force has its own, stricter counters on top. A field
 * that works before sign-in is declared with beforeSignIn, and is then counted by address for everyone.
 */
export const defaultRateLimits: RateLimitTable = {
  'Query.me': perMinute(60),
  'Query.rateLimitStatus': perMinute(120),
  'Query.users': perMinute(600, 600, 600),
  'Query.auditLog': perMinute(600, 600, 600),
  'User.sessions': perMinute(60),
  'User.securityEvents': perMinute(60),
  'Mutation.register': beforeSignIn(10, 3600),
  'Mutation.login': beforeSignIn(30),
  'Mutation.refresh': beforeSignIn(60),
  'Mutation.logout': perMinute(30),
  'Mutation.revokeSession': perMinute(30),
  'Mutation.setUserTier': perMinute(600, 600, 600),
  'Query.resourceProgress': perMinute(120),
  'Mutation.startOAuth': beforeSignIn(30),
  'Mutation.completeOAuth': beforeSignIn(30),
  'Mutation.unlinkOAuth': perMinute(30),
  // Counted when a subscription starts (over graphql-ws), not per pushed event.
  'Subscription.resourceProgressChanged': perMinute(30),
  // Mail-sending requests per caller; each target address has its own hourly share too (account-mail.ts).
  'Mutation.requestEmailVerification': { FREE: 5, PREMIUM: 5, ADMIN: 50, windowSeconds: 3600 },
  'Mutation.requestPasswordReset': beforeSignIn(10, 900),
  'Mutation.requestEmailChange': { FREE: 5, PREMIUM: 5, ADMIN: 50, windowSeconds: 3600 },
  'Mutation.verifyEmail': beforeSignIn(10),
  'Mutation.resetPassword': beforeSignIn(10),
  'Mutation.confirmEmailChange': beforeSignIn(10),
  'Mutation.revertEmailChange': beforeSignIn(10),
  'Mutation.changePassword': perMinute(5),
  'Mutation.deleteAccount': perMinute(5),
  // Workers report as service accounts, which count as ADMIN.
  'Mutation.reportResourceProgress': perMinute(60, 600, 60_000),
};

/**
 * Laid over the defaults in development only: a developer signs up and signs in from one address all
 * day, and the production budgets (10 sign-ups an hour) would lock them out for an hour mid-task.
 */
export const developmentRateLimits: Readonly<Record<string, Partial<FieldLimit>>> = {
  'Mutation.register': { FREE: 1000, PREMIUM: 1000, ADMIN: 1000 },
  'Mutation.login': { FREE: 1000, PREMIUM: 1000, ADMIN: 1000 },
};

/** Defaults with RATE_LIMITS laid over them; an override for a field that has no limit is a mistake. */
export function buildRateLimitTable(
  overrides: Readonly<Record<string, Partial<FieldLimit>>>,
  defaults: RateLimitTable = defaultRateLimits,
): RateLimitTable {
  const unknown = Object.keys(overrides).filter((k) => !(k in defaults));
  if (unknown.length) throw new Error(`RATE_LIMITS names fields without a rate limit: ${unknown.join(', ')}`);
  return Object.fromEntries(
    Object.entries(defaults).map(([field, limit]) => [field, Object.freeze({ ...limit, ...overrides[field] })]),
  );
}

export function limitFor(table: RateLimitTable, field: string, tier: Tier): { points: number; windowSeconds: number } {
  const entry = table[field];
  if (!entry) throw new Error(`No rate limit is defined for ${field}`);
  // Counted by address, a field has one budget for everyone: the FREE one.
  return { points: entry[entry.byAddress ? Tier.FREE : tier], windowSeconds: entry.windowSeconds };
}

/** Who a field's budget counts against: the caller, or for fields declared byAddress the client's address. */
export function countsByAddress(table: RateLimitTable, field: string): boolean {
  return table[field]?.byAddress === true;
}

/** The directive for a field, from the default table, so the code and the table cannot disagree. */
export function rateLimitDirectiveFor(field: string): string {
  const entry = defaultRateLimits[field];
  if (!entry) throw new Error(`No rate limit is defined for ${field}`);
  return `@rateLimit(limit: ${entry[Tier.FREE]}, duration: ${entry.windowSeconds})`;
}
