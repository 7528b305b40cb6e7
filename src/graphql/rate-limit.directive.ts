import { getDirective, MapperKind, mapSchema } from '@graphql-tools/utils';
import { buildSchema as buildSdl, defaultFieldResolver, type GraphQLDirective, type GraphQLSchema } from 'graphql';
import { rateLimitDirective } from 'graphql-rate-limit-directive';
import type { RateLimiterRes } from 'rate-limiter-flexible';
import type { Clock } from '../clock.js';
import { rateLimited, retryAfterSeconds } from '../errors.js';
import type { RateLimitStore } from '../modules/rate-limit/rate-limit.store.js';
import type { RequestContext } from '../modules/request/request-context.js';

const NAME = 'rateLimit';

/**
 * @rateLimit on a field counts each resolution against the caller's budget for that field, sized by
 * the caller's tier from the table (the directive's own arguments only document the FREE budget).
 * graphql-rate-limit-directive supplies the directive's definition; the counting is ours, because its
 * limiters never see the request and so cannot know the caller's tier.
 */
export function createRateLimitDirective(store: RateLimitStore, clock: Clock) {
  async function count(field: string, ctx: RequestContext): Promise<void> {
    // Fields used before sign-in count against the address whoever calls, so no token buys more.
    const caller = await store.callerFor(field, ctx.caller, ctx.client.ip);
    let res: RateLimiterRes;
    try {
      res = await store.consume(field, caller, 1);
    } catch (rejection) {
      if (rejection instanceof Error) throw rejection;
      const now = clock();
      const budget = store.budgetOf(field, caller, rejection as RateLimiterRes, now);
      ctx.rateLimits.counted(budget);
      const retryAfter = retryAfterSeconds(budget.resetAt, now);
      ctx.log.warn({ event: 'rate_limited', field, ip: ctx.client.ip, retryAfter }, 'field limit refused a call');
      throw rateLimited(`Too many requests for ${field}`, { limit: budget.limit, resetAt: budget.resetAt, now });
    }
    ctx.rateLimits.counted(store.budgetOf(field, caller, res, clock()));
  }

  const transform = (schema: GraphQLSchema) =>
    mapSchema(schema, {
      [MapperKind.OBJECT_FIELD]: (config, fieldName, typeName) => {
        if (!getDirective(schema, config, NAME)?.length) return config;
        const field = `${typeName}.${fieldName}`;
        const resolve = config.resolve ?? defaultFieldResolver;
        return {
          ...config,
          resolve: async (source, args, ctx: RequestContext, info) => {
            await count(field, ctx);
            return resolve(source, args, ctx, info);
          },
        };
      },
    });

  return { directive: rateLimitDirectiveDefinition, transform };
}

/** The @rateLimit definition, so the emitted SDL declares it. */
export const rateLimitDirectiveDefinition = buildSdl(
  `${rateLimitDirective().rateLimitDirectiveTypeDefs}\ntype Query { _: Int }`,
).getDirective(NAME) as GraphQLDirective;
