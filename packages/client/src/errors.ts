/** What Tollgate puts in an error's `extensions`; clients switch on `code`, never on the message. */
export interface ErrorInfo {
  code: string;
  /** The input field at fault (BAD_USER_INPUT, CONFLICT). */
  field?: string;
  /** Seconds to wait before trying again (RATE_LIMITED, SERVICE_UNAVAILABLE). */
  retryAfter?: number;
}

interface GraphQLErrorLike {
  message?: string;
  extensions?: Record<string, unknown> | null;
}

/** An error Tollgate answered, raised by the core's own requests (sign-in, renewal, sign-out). */
export class TollgateError extends Error implements ErrorInfo {
  readonly code: string;
  readonly field?: string;
  readonly retryAfter?: number;

  constructor(info: ErrorInfo, message?: string) {
    super(message ?? info.code);
    this.name = 'TollgateError';
    this.code = info.code;
    if (info.field !== undefined) this.field = info.field;
    if (info.retryAfter !== undefined) this.retryAfter = info.retryAfter;
  }
}

/** The info of a GraphQL error as Tollgate formats it; an error with no code counts as INTERNAL_SERVER_ERROR. */
export function infoOf(error: GraphQLErrorLike | undefined): ErrorInfo {
  const extensions = error?.extensions ?? {};
  const info: ErrorInfo = { code: typeof extensions.code === 'string' ? extensions.code : 'INTERNAL_SERVER_ERROR' };
  if (typeof extensions.field === 'string') info.field = extensions.field;
  if (typeof extensions.retryAfter === 'number') info.retryAfter = extensions.retryAfter;
  return info;
}

/** Whether any of a response's errors carries `code`. */
export const hasCode = (errors: readonly GraphQLErrorLike[] | undefined | null, code: string): boolean =>
  !!errors?.some((e) => e.extensions?.code === code);

/**
 * The first error's info, whichever way it arrived: a TollgateError, a GraphQL response or Apollo's
 * CombinedGraphQLErrors (an `errors` array), or a non-2xx answer with a GraphQL body (Apollo's
 * ServerError keeps it in `bodyText`). Null when nothing was answered: a network failure.
 */
export function errorInfo(error: unknown): ErrorInfo | null {
  if (error instanceof TollgateError)
    return infoOf({ extensions: { code: error.code, field: error.field, retryAfter: error.retryAfter } });
  if (typeof error !== 'object' || error === null) return null;
  const { errors, bodyText } = error as { errors?: unknown; bodyText?: unknown };
  if (Array.isArray(errors)) return infoOf(errors[0] as GraphQLErrorLike | undefined);
  if (typeof bodyText === 'string') {
    try {
      const body = JSON.parse(bodyText) as { errors?: GraphQLErrorLike[] };
      if (Array.isArray(body.errors)) return infoOf(body.errors[0]);
    } catch {
      // not a GraphQL body (a proxy's error page): treated as no answer below
    }
    return { code: 'INTERNAL_SERVER_ERROR' };
  }
  return null;
}
