import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import type { GraphQLFormattedError, GraphQLSchema } from 'graphql';
import type { Config } from '../config.js';
import type { RequestContext } from '../modules/request/request-context.js';
import { ErrorCode, isExpectedError } from '../errors.js';
import { requestLimits } from './request-limits.js';

export function createApollo(schema: GraphQLSchema, config: Config['graphql'] & { development: boolean }) {
  const limits = requestLimits(config.limits);
  return new ApolloServer<RequestContext>({
    schema,
    introspection: config.introspection,
    hideSchemaDetailsFromClientErrors: config.hideSchemaDetails,
    includeStacktraceInErrorResponses: config.development,
    // Batching stays off and CSRF prevention on (Apollo's defaults): one operation per request.
    allowBatchedHttpRequests: false,
    // main.ts owns the signals: it drains HTTP first, then stops Apollo and the database in order.
    stopOnTerminationSignals: false,
    formatError: (formatted, error) => maskError(formatted, error, config.development),
    validationRules: limits.validationRules,
    parseOptions: limits.parseOptions,
    plugins: [
      config.landingPage
        ? ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false })
        : ApolloServerPluginLandingPageDisabled(),
      errorReporting,
      rateLimitHeaders,
      ...(limits.plugins as ApolloServerPlugin<RequestContext>[]),
    ],
  });
}

/** Expected errors pass with their code; anything else becomes a bare INTERNAL_SERVER_ERROR outside development. */
export function maskError(formatted: GraphQLFormattedError, error: unknown, development: boolean): GraphQLFormattedError {
  if (isExpectedError(unwrapResolverError(error)) || development) return formatted;
  return {
    message: 'Internal server error.',
    ...(formatted.path ? { path: formatted.path } : {}),
    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
  };
}

/**
 * X-RateLimit-* report the request's most constrained field. An operation refused outright (no data,
 * every error a RATE_LIMITED, from a field limit or a throttle alike) answers 429 with Retry-After, and
 * the headers then describe the budget that refused it.
 */
const rateLimitHeaders: ApolloServerPlugin<RequestContext> = {
  async requestDidStart() {
    return {
      async willSendResponse({ response, contextValue }) {
        const headers = response.http.headers;
        const { tightest } = contextValue.rateLimits;
        if (tightest) setBudgetHeaders(headers, tightest.limit, tightest.remaining, tightest.resetAt.toISOString());
        if (response.body.kind !== 'single') return;
        const { data, errors = [] } = response.body.singleResult;
        const nothingServed = !data || Object.values(data).every((v) => v === null);
        if (!nothingServed || errors.length === 0) return;
        const refusals = errors.map((e) => e.extensions ?? {});
        if (!refusals.every((x) => x.code === ErrorCode.RATE_LIMITED)) return;
        const longest = refusals.reduce((a, b) => (Number(b.retryAfter) > Number(a.retryAfter) ? b : a));
        response.http.status = 429;
        headers.set('retry-after', String(longest.retryAfter));
        setBudgetHeaders(headers, Number(longest.limit), 0, String(longest.resetAt));
      },
    };
  },
};

function setBudgetHeaders(headers: Map<string, string>, limit: number, remaining: number, resetAt: string) {
  headers.set('x-ratelimit-limit', String(limit));
  headers.set('x-ratelimit-remaining', String(remaining));
  headers.set('x-ratelimit-reset', String(Math.ceil(Date.parse(resetAt) / 1000)));
}

/** Logs each unexpected error once, with the request id, and puts that id into every error sent. */
const errorReporting: ApolloServerPlugin<RequestContext> = {
  async requestDidStart() {
    return {
      async didEncounterErrors({ errors, contextValue }) {
        for (const error of errors) {
          const original = unwrapResolverError(error);
          if (!isExpectedError(original)) {
            contextValue.log.error({ err: original, path: error.path }, 'unexpected error');
          }
        }
      },
      async willSendResponse({ response, contextValue }) {
        if (response.body.kind !== 'single') return;
        const { singleResult } = response.body;
        if (!singleResult.errors) return;
        singleResult.errors = singleResult.errors.map((e) => ({
          ...e,
          extensions: { ...e.extensions, requestId: contextValue.requestId },
        }));
      },
    };
  },
};
