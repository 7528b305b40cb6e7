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
  /** An account with that email exists and the provider does not vouch for the address: sign in with the password and link. */
  OAUTH_ACCOUNT_EXISTS: 'OAUTH_ACCOUNT_EXISTS',
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
]);

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

export const badInput = (field: string, message: string) => new AppError(ErrorCode.BAD_USER_INPUT, message, { field });

export const conflict = (field: string, message: string) => new AppError(ErrorCode.CONFLICT, message, { field });

/** Unknown and not-yours answer alike, so ids cannot be probed. */
export const notFound = (field: string, message: string) => new AppError(ErrorCode.NOT_FOUND, message, { field });

export const unauthenticated = (message = 'Authentication required.') => new AppError(ErrorCode.UNAUTHENTICATED, message);

// One message for every credential failure, so a response never tells which part was wrong.
export const invalidCredentials = () => new AppError(ErrorCode.INVALID_CREDENTIALS, 'The identifier or password is incorrect.');

/**
 * Whether an error that reached the response is one we meant to show: our own AppError, or a
 * GraphQLError raised by graphql-js/Apollo for a malformed request. `original` is the error a
 * resolver threw, unwrapped (Apollo's unwrapResolverError).
 */
export function isExpectedError(original: unknown): boolean {
  if (original instanceof AppError) return true;
  if (!(original instanceof GraphQLError)) return false;
  const code = original.extensions.code;
  return (
    typeof code === 'string' && code !== ErrorCode.INTERNAL_SERVER_ERROR && (requestErrorCodes.has(code) || code in ErrorCode)
  );
}
