import { buildSchema as buildSdl, type GraphQLDirective, type GraphQLResolveInfo } from 'graphql';
import { getSchemaCoordinate, rateLimitDirective } from 'graphql-rate-limit-directive';
import type { RateLimiterRes } from 'rate-limiter-flexible';
import type { RequestContext } from '../context.js';
import { AppError, ErrorCode } from '../errors.js';
import { isTier } from '../modules/user/tier.js';
import type { Caller, RateLimitStore } from '../modules/rate-limit/rate-limit.store.js';

const SEPARATOR = '|';

/**
 * The directive library builds one limiter per `limit/duration` pair and never shows it the request,
 * so the tier travels inside the key and this class picks the field's limiter for that tier.
 */
class TieredLimiter {
  private readonly store: RateLimitStore;
  constructor(options: { store: RateLimitStore }) {
    this.store = options.store;
  }
  consume(key: string, points: number): Promise<RateLimiterRes> {
    const [field = '', tier, callerKey = ''] = key.split(SEPARATOR);
    if (!isTier(tier)) throw new Error(`malformed rate-limit key for ${field}`);
    return this.store.consume(field, { tier, key: callerKey }, points);
  }
}

export function createRateLimitDirective(store: RateLimitStore, clock: () => Date) {
  const { rateLimitDirectiveTypeDefs, rateLimitDirectiveTransformer } = rateLimitDirective<RequestContext>({
    keyGenerator: async (_args, _source, _fieldArgs, ctx, info) => {
      const caller = await ctx.caller();
      return [getSchemaCoordinate(info), caller.tier, caller.key].join(SEPARATOR);
    },
    setState: (res, _args, _source, _fieldArgs, ctx, info) => observe(store, ctx, info, res, clock()),
    onLimit: (res, _args, _source, _fieldArgs, ctx, info) => {
      const budget = observe(store, ctx, info, res, clock());
      const retryAfter = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
      ctx.rateLimits.refused.push(retryAfter);
      throw new AppError(ErrorCode.RATE_LIMITED, `Too many requests for ${budget.field}; try again in ${retryAfter} s.`, {
        retryAfter,
        limit: budget.limit,
        resetAt: budget.resetAt.toISOString(),
      });
    },
    limiterClass: TieredLimiter as never,
    limiterOptions: { store } as never,
  });
  return { directive: directiveFromTypeDefs(rateLimitDirectiveTypeDefs), transform: rateLimitDirectiveTransformer };
}

const directiveFromTypeDefs = (typeDefs: string) =>
  buildSdl(`${typeDefs}\ntype Query { _: Int }`).getDirective('rateLimit') as GraphQLDirective;

/** The @rateLimit definition alone, for emitting the SDL without building limiters. */
export const rateLimitDirectiveDefinition = directiveFromTypeDefs(rateLimitDirective().rateLimitDirectiveTypeDefs);

function observe(store: RateLimitStore, ctx: RequestContext, info: GraphQLResolveInfo, res: RateLimiterRes, now: Date) {
  const caller = ctx.rateLimits.caller as Caller; // set by keyGenerator, which always runs first
  const budget = store.budgetOf(getSchemaCoordinate(info), caller, res, now);
  const tightest = ctx.rateLimits.tightest;
  if (!tightest || budget.remaining < tightest.remaining) ctx.rateLimits.tightest = budget;
  return budget;
}
