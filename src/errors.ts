import { GraphQLError } from 'graphql';

/**
 * The one list of error codes clients may switch on. Expected errors carry one of these in
 * `extensions.code`; anything else is unexpected and reaches the client masked.
 */
export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  INVALID_CREDENTIALS: 'INVALID_CREDENTIALS',
  FORBIDDEN: 'FORBIDDEN',
  CONFLICT: 'CONFLICT',
  NOT_FOUND: 'NOT_FOUND',
  RATE_LIMITED: 'RATE_LIMITED',
  /** The provider has no client credentials configured. */
  OAUTH_PROVIDER_UNAVAILABLE: 'OAUTH_PROVIDER_UNAVAILABLE',
  /** The sign-in could not be completed: unknown, used or expired state, or the provider refused. */
  OAUTH_FAILED: 'OAUTH_FAILED',
  /**
   * An account with that email exists and has a password (or the provider does not vouch for the address):
   * sign in to it and link the provider from there.
   */
  OAUTH_ACCOUNT_EXISTS: 'OAUTH_ACCOUNT_EXISTS',
  /** A dependency (the database) is unreachable or too slow: nothing was done; retry later with backoff. */
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  /** An emailed token that is unknown, already used, expired, or for another purpose: one answer for all. */
  INVALID_TOKEN: 'INVALID_TOKEN',
  /** REQUIRE_VERIFIED_EMAIL is on and the (correctly authenticated) account has not verified its address. */
  EMAIL_NOT_VERIFIED: 'EMAIL_NOT_VERIFIED',
  /** The operation needs mail and this server has it turned off (MAIL_ENABLED=false). */
  MAIL_DISABLED: 'MAIL_DISABLED',
  /** An account without a password must have signed in within the last 10 minutes for this. */
  REAUTHENTICATION_REQUIRED: 'REAUTHENTICATION_REQUIRED',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Codes Apollo Server and graphql-js produce for malformed requests; they describe the client's mistake. */
const requestErrorCodes = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'PERSISTED_QUERY_HASH_MISMATCH',
]);

/**
 * Apollo Server answers an automatic persisted query whose sha256Hash is not the query's with a GraphQLError
 * that has no code (and HTTP 400); masked, it read as INTERNAL_SERVER_ERROR. This is that error, recognised.
 */
export const isPersistedQueryHashMismatch = (error: unknown) =>
  error instanceof GraphQLError && error.extensions.code === undefined && error.message === 'provided sha does not match query';

/** An error the service means to show the client, with a stable code. */
export class AppError extends GraphQLError {
  constructor(
    readonly code: Exclude<ErrorCode, 'INTERNAL_SERVER_ERROR'>,
    message: string,
    extensions: Record<string, unknown> = {},
  ) {
    super(message, { extensions: { ...extensions, code } });
    this.name = 'AppError';
  }
}

// One constructor per code: the code, its extensions and their shape are decided here and nowhere else.

export const badInput = (field: string, message: string) => new AppError(ErrorCode.BAD_USER_INPUT, message, { field });

export const unauthenticated = (message = 'Authentication required.') => new AppError(ErrorCode.UNAUTHENTICATED, message);

// One message for every credential failure, so a response never tells which part was wrong.
export const invalidCredentials = () => new AppError(ErrorCode.INVALID_CREDENTIALS, 'The identifier or password is incorrect.');

export const forbidden = (message: string) => new AppError(ErrorCode.FORBIDDEN, message);

export const conflict = (field: string, message: string) => new AppError(ErrorCode.CONFLICT, message, { field });

/** Unknown and not-yours answer alike, so ids cannot be probed. */
export const notFound = (field: string, message: string) => new AppError(ErrorCode.NOT_FOUND, message, { field });

/** Whole seconds until `resetAt`, at least 1: what Retry-After and `retryAfter` say. */
export const retryAfterSeconds = (resetAt: Date, now: Date) => Math.max(1, Math.ceil((resetAt.getTime() - now.getTime()) / 1000));

// One message for an unknown, used, expired or wrong-purpose token: the holder learns nothing about which.
export const invalidToken = () =>
  new AppError(ErrorCode.INVALID_TOKEN, 'This link is invalid or has expired; ask for a new one.');

export const emailNotVerified = () =>
  new AppError(ErrorCode.EMAIL_NOT_VERIFIED, 'Confirm your email address first: follow the link we sent you.');

/**
 * A spent budget. `now` comes from the injected clock, so retryAfter and resetAt agree with each
 * other and with the X-RateLimit-* headers, and move with the clock in tests.
 */
export function rateLimited(what: string, budget: { limit: number; resetAt: Date; now: Date }): AppError {
  const retryAfter = retryAfterSeconds(budget.resetAt, budget.now);
  return new AppError(ErrorCode.RATE_LIMITED, `${what}; try again in ${retryAfter} s.`, {
    retryAfter,
    limit: budget.limit,
    resetAt: budget.resetAt.toISOString(),
  });
}

export const oauthProviderUnavailable = (provider: string) =>
  new AppError(ErrorCode.OAUTH_PROVIDER_UNAVAILABLE, `Sign-in with ${provider} is not configured on this server.`, { provider });

export const oauthFailed = (message: string) => new AppError(ErrorCode.OAUTH_FAILED, message);

export const oauthAccountExists = (provider: string) =>
  new AppError(
    ErrorCode.OAUTH_ACCOUNT_EXISTS,
    'An account with this email exists. Sign in to it (or reset its password by email), then link this provider from there.',
    { provider },
  );

/** What a client is told when the database could not serve its request (see db/outage.ts). */
export const serviceUnavailable = () =>
  new AppError(ErrorCode.SERVICE_UNAVAILABLE, 'The service is temporarily unavailable. Try again shortly.');

/**
 * Whether an error that reached the response is one we meant to show: our own AppError, or a
 * GraphQLError raised by graphql-js/Apollo for a malformed request. `original` is the error a
 * resolver threw, unwrapped (Apollo's unwrapResolverError).
 */
export function isExpectedError(original: unknown): boolean {
  if (original instanceof AppError || isPersistedQueryHashMismatch(original)) return true;
  if (!(original instanceof GraphQLError)) return false;
  const code = original.extensions.code;
  return (
    typeof code === 'string' && code !== ErrorCode.INTERNAL_SERVER_ERROR && (requestErrorCodes.has(code) || code in ErrorCode)
  );
}
