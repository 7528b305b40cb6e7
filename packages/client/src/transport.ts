import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
import { TollgateError, infoOf } from './errors.js';
import { defaultFetch, type Fetch } from './platform.js';

/** A document as text: a string, or codegen's `TypedDocumentString` (documentMode: 'string'), which carries its types. */
export type DocumentText<R, V> = string | (DocumentTypeDecoration<R, V> & { toString(): string });

export interface GraphQLErrorBody {
  message: string;
  extensions?: Record<string, unknown>;
}

export interface GraphQLAnswer<R> {
  status: number;
  headers: Headers;
  data?: R | null;
  errors?: GraphQLErrorBody[];
}

export type Send = <R, V>(document: DocumentText<R, V>, variables: V, accessToken: string | null) => Promise<GraphQLAnswer<R>>;

/**
 * POSTs an operation to Tollgate in cookie mode: `x-token-delivery: cookie` makes Tollgate set and read
 * the refresh token as an HttpOnly cookie, and `credentials: 'include'` lets it travel to another origin
 * of the same site. A network failure rejects; an answer without a GraphQL body rejects with a TollgateError.
 */
export function cookieModeTransport(url: string, fetch: Fetch = defaultFetch): Send {
  return async (document, variables, accessToken) => {
    if (typeof document !== 'string' && !(document instanceof String))
      throw new TypeError('send the document as text (a string or a TypedDocumentString), not a parsed DocumentNode');
    const response = await fetch(url, {
      method: 'POST',
      credentials: 'include',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        'x-token-delivery': 'cookie',
        ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}),
      },
      body: JSON.stringify({ query: document.toString(), variables }),
    });
    let body: { data?: unknown; errors?: GraphQLErrorBody[] } | null = null;
    try {
      body = (await response.json()) as typeof body;
    } catch {
      body = null;
    }
    if (!body || typeof body !== 'object' || !('data' in body || 'errors' in body)) {
      const retryAfter = Number(response.headers.get('retry-after'));
      throw new TollgateError(
        {
          code: response.status === 503 ? 'SERVICE_UNAVAILABLE' : 'INTERNAL_SERVER_ERROR',
          ...(retryAfter > 0 ? { retryAfter } : {}),
        },
        `Tollgate answered ${response.status} without a GraphQL body`,
      );
    }
    return { status: response.status, headers: response.headers, ...(body as { data?: never; errors?: GraphQLErrorBody[] }) };
  };
}

/** The data of an answer, or the first error as a TollgateError. */
export function dataOf<R>(answer: GraphQLAnswer<R>): R {
  if (answer.data && !answer.errors?.length) return answer.data;
  throw new TollgateError(infoOf(answer.errors?.[0]), answer.errors?.[0]?.message);
}
