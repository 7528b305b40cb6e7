import { ApolloLink } from '@apollo/client';
import { ServerError } from '@apollo/client/errors';
import { catchError, from, mergeMap, type Observable, of, throwError } from 'rxjs';
import { hasCode, infoOf } from './errors.js';
import type { TokenManager } from './token-manager.js';

export interface RateLimitNotice {
  operationName: string | undefined;
  /** Seconds until the refused budget has room again. */
  retryAfter: number;
}

export interface AuthLinkOptions {
  /** Called whenever Tollgate refuses some or all of an operation with RATE_LIMITED. */
  onRateLimited?: (notice: RateLimitNotice) => void;
}

/**
 * Apollo Link for Tollgate in cookie mode: puts the access token on every operation (renewed first when due), renews
 * once and retries once when Tollgate answers UNAUTHENTICATED, and surfaces RATE_LIMITED with its wait.
 * An operation refused outright is a 429; its GraphQL body is passed on as the result's errors, so every
 * RATE_LIMITED reaches the app the same way: `errorInfo(error).retryAfter`.
 * Place it before the terminating HttpLink: `ApolloLink.from([createAuthLink(tokens), httpLink])`.
 */
export function createAuthLink(tokens: TokenManager, options: AuthLinkOptions = {}): ApolloLink {
  return new ApolloLink((operation, forward) => {
    const send = (token: string | null): Observable<ApolloLink.Result> => {
      // Cookie mode on every operation: the ones that issue tokens (completeOAuth, changePassword) set the
      // refresh cookie, which must travel to Tollgate's origin and back.
      operation.setContext(({ headers = {} }: { headers?: Record<string, string> }) => ({
        credentials: 'include',
        headers: { ...headers, 'x-token-delivery': 'cookie', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      }));
      return forward(operation).pipe(
        catchError((error: unknown) => {
          const answered = answeredErrors(error);
          return answered ? of({ errors: answered } as ApolloLink.Result) : throwError(() => error);
        }),
      );
    };
    const report = (result: ApolloLink.Result) => {
      const refused = result.errors?.find((e) => e.extensions?.code === 'RATE_LIMITED');
      if (refused && options.onRateLimited)
        options.onRateLimited({ operationName: operation.operationName, retryAfter: infoOf(refused).retryAfter ?? 1 });
      return result;
    };
    return from(tokens.accessToken()).pipe(
      mergeMap((token) =>
        send(token).pipe(
          mergeMap((result) => {
            // Refused although renewed on time (the session ended, the tier changed): renew once and retry once.
            if (!token || !hasCode(result.errors, 'UNAUTHENTICATED')) return of(result);
            return from(tokens.renew(token)).pipe(mergeMap((fresh) => (fresh ? send(fresh) : of(result))));
          }),
          mergeMap((result) => of(report(result))),
        ),
      ),
    );
  });
}

/** The GraphQL errors of a non-2xx answer Apollo raised as a ServerError (a 429 or 503 sent as application/json). */
function answeredErrors(error: unknown): ApolloLink.Result['errors'] | null {
  if (!ServerError.is(error)) return null;
  try {
    const body = JSON.parse(error.bodyText) as { errors?: unknown };
    return Array.isArray(body.errors) && body.errors.length ? (body.errors as ApolloLink.Result['errors']) : null;
  } catch {
    return null;
  }
}

/**
 * Another account's data must never show: empties the client's cache whenever the signed-in user changes
 * or signs out. Returns the unsubscribe function.
 */
export function forgetOnUserChange(client: { clearStore(): Promise<unknown> }, tokens: TokenManager): () => void {
  const userOf = () => {
    const state = tokens.getState();
    return state.status === 'signed-in' ? state.userId : null;
  };
  let userId = userOf();
  return tokens.subscribe(() => {
    const now = userOf();
    if (now !== userId) void client.clearStore();
    userId = now;
  });
}
