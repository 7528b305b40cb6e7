import {
  ApolloServer,
  type ApolloServerPlugin,
  type GraphQLRequestContextWillSendResponse,
  type GraphQLRequestListener,
  type GraphQLResponse,
} from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import type { RequestContext } from '../modules/request/request-context.js';
import { ErrorCode } from '../errors.js';
import { type Admission, reportUnexpected } from './admission.js';
import { requestErrorStatus } from './http-status.js';

export function createApollo(
  schema: GraphQLSchema,
  options: {
    admission: Admission;
    landingPage: boolean;
    /** Runs last on every answer (metrics, the trace's name): sees the operation and the errors as sent. */
    observe?: ((outcome: Outcome) => void) | undefined;
  },
) {
  const { admission, observe } = options;
  return new ApolloServer<RequestContext>({
    schema,
    // The admission rules decide: they refuse introspection where it is off, for every door alike.
    introspection: true,
    // Suggestions are removed by admission.formatError, which also covers variable-coercion errors.
    hideSchemaDetailsFromClientErrors: false,
    // Unexpected errors keep their stack in development only; formatError drops it from expected ones.
    includeStacktraceInErrorResponses: true,
    // Batching stays off and CSRF prevention on (Apollo's defaults): one operation per request.
    allowBatchedHttpRequests: false,
    // main.ts owns the signals: it drains HTTP first, then stops Apollo and the database in order.
    stopOnTerminationSignals: false,
    formatError: admission.formatError,
    parseOptions: admission.parseOptions,
    validationRules: admission.validationRules,
    validationOptions: admission.validationOptions,
    plugins: [
      // Every answer is no-store (http/server.ts): cache hints have nothing to set, and the cache-control
      // plugin, on by default, instruments every field's resolver to collect them.
      ApolloServerPluginCacheControlDisabled(),
      options.landingPage
        ? ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false })
        : ApolloServerPluginLandingPageDisabled(),
      observe ? policyWith([...responseSteps, observe]) : responsePolicy,
    ],
  });
}

export type Outcome = GraphQLRequestContextWillSendResponse<RequestContext>;

/**
 * X-RateLimit-* report the request's most constrained field. An operation refused outright (no data,
 * every error a RATE_LIMITED, from a field limit or a throttle alike) answers 429 with Retry-After, and
 * the headers then describe the budget that refused it.
 */
function rateLimitHeaders({ response, contextValue }: Outcome): void {
  const headers = response.http.headers;
  const { tightest } = contextValue.rateLimits;
  if (tightest) setBudgetHeaders(headers, tightest.limit, tightest.remaining, tightest.resetAt.toISOString());
  const refusals = refusedOutright(response.body, ErrorCode.RATE_LIMITED);
  if (!refusals) return;
  const longest = refusals.reduce((a, b) => (Number(b.retryAfter) > Number(a.retryAfter) ? b : a));
  response.http.status = 429;
  headers.set('retry-after', String(longest.retryAfter));
  setBudgetHeaders(headers, Number(longest.limit), 0, String(longest.resetAt));
}

/** The errors' extensions when nothing in the operation was served and every error has `code`; else null. */
function refusedOutright(body: GraphQLResponse['body'], code: ErrorCode): Record<string, unknown>[] | null {
  if (body.kind !== 'single') return null;
  const { data, errors = [] } = body.singleResult;
  const nothingServed = !data || Object.values(data).every((v) => v === null);
  if (!nothingServed || errors.length === 0 || !errors.every((e) => e.extensions?.code === code)) return null;
  return errors.map((e) => e.extensions ?? {});
}

function setBudgetHeaders(headers: Map<string, string>, limit: number, remaining: number, resetAt: string) {
  headers.set('x-ratelimit-limit', String(limit));
  headers.set('x-ratelimit-remaining', String(remaining));
  headers.set('x-ratelimit-reset', String(Math.ceil(Date.parse(resetAt) / 1000)));
}

/** An operation of which nothing succeeded because the database was unavailable answers 503 with Retry-After. */
function unavailableStatus({ response }: Outcome): void {
  if (!refusedOutright(response.body, ErrorCode.SERVICE_UNAVAILABLE)) return;
  response.http.status = 503;
  response.http.headers.set('retry-after', '1');
}

/** Every error sent carries the request id (each unexpected one is also logged once, with it). */
function stampRequestId({ response, contextValue }: Outcome): void {
  if (response.body.kind !== 'single') return;
  const { singleResult } = response.body;
  if (!singleResult.errors) return;
  singleResult.errors = singleResult.errors.map((e) => ({
    ...e,
    extensions: { ...e.extensions, requestId: contextValue.requestId },
  }));
}

/** What Tollgate does with an answer before it is sent, in this order (the 429 and 503 read the stamped errors). */
const responseSteps: ((outcome: Outcome) => void)[] = [stampRequestId, rateLimitHeaders, unavailableStatus, requestErrorStatus];

/**
 * Tollgate's request hooks as one plugin with one listener shared by every request: Apollo calls each
 * plugin's requestDidStart and each listener's hooks through promises, per request, and four plugins cost
 * ~6 % of a `me` request.
 */
function policyWith(steps: readonly ((outcome: Outcome) => void)[]): ApolloServerPlugin<RequestContext> {
  const listener: GraphQLRequestListener<RequestContext> = {
    // graphql-js would run a subscription's resolver once, with no event, and fail inside it (a masked
    // INTERNAL_SERVER_ERROR): over HTTP a subscription is the client's mistake, refused before it runs.
    async didResolveOperation({ operation }) {
      if (operation?.operation === 'subscription') {
        throw new GraphQLError('Subscriptions are served over WebSocket (graphql-transport-ws on /graphql), not over HTTP.', {
          extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
        });
      }
    },
    async didEncounterErrors({ errors, contextValue }) {
      reportUnexpected(contextValue.log, errors);
    },
    async willSendResponse(outcome) {
      for (const step of steps) step(outcome);
    },
  };
  return { requestDidStart: async () => listener };
}
const responsePolicy = policyWith(responseSteps);
