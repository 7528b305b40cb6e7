import type { BaseContext, GraphQLRequestContextWillSendResponse } from '@apollo/server';
import Negotiator from 'negotiator';

/** What graphql-js and Apollo call a document that cannot run: it is the client's mistake, not the transport's. */
const requestErrorCodes = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT']);

/**
 * GraphQL over HTTP: a well-formed request whose document fails to parse, validate or coerce its
 * variables is answered 200 when the client reads `application/json` (the spec's SHOULD: such a client
 * may treat any 4xx as a transport failure and never look at the errors), and keeps its 400 under
 * `application/graphql-response+json`, whose clients know what the status means. Unreadable JSON and
 * a missing query stay 400 in both.
 */
export function requestErrorStatus({ request, response }: GraphQLRequestContextWillSendResponse<BaseContext>): void {
  if (response.http.status !== 400 || response.body.kind !== 'single') return;
  const { data, errors = [] } = response.body.singleResult;
  if (data !== undefined || errors.length === 0) return;
  if (!errors.every((e) => requestErrorCodes.has(String(e.extensions?.code)))) return;
  if (responseType(request.http?.headers.get('accept')) === 'application/json') response.http.status = 200;
}

/** The media type Apollo will answer with, negotiated the way Apollo does it. */
function responseType(accept: string | undefined): string | undefined {
  if (!accept) return 'application/json';
  return new Negotiator({ headers: { accept } }).mediaType(['application/json', 'application/graphql-response+json']);
}
