import { getDirective, MapperKind, mapSchema } from '@graphql-tools/utils';
import { buildSchema as buildSdl, defaultFieldResolver, type GraphQLDirective, type GraphQLSchema } from 'graphql';
import { rateLimitDirective } from 'graphql-rate-limit-directive';
import type { RateLimiterRes } from 'rate-limiter-flexible';
import type { Clock } from '../clock.js';
import { rateLimited, retryAfterSeconds } from '../errors.js';
import type { Caller, RateLimitStore } from '../modules/rate-limit/rate-limit.store.js';
import type { RequestContext } from '../modules/request/request-context.js';

const NAME = 'rateLimit';

/**
 * @rateLimit on a field counts each resolution against the caller's budget for that field, sized by
 * the caller's tier from the table (the directive's own arguments only document the FREE budget).
 * graphql-rate-limit-directive supplies the directive's definition; the counting is ours, because its
 * limiters never see the request and so cannot know the caller's tier. Every resolution costs a point:
 * `{ a: me { id } b: me { id } }` spends two, in one limiter call.
 */
export function createRateLimitDirective(
  store: RateLimitStore,
  clock: Clock,
  /** Told of calls refused (the metrics): the field is the schema's, the tier the caller's. */
  onRefused?: (field: string, tier: Caller['tier'], calls: number) => void,
) {
  /** How many of `calls` resolutions the budget granted; the rest are refused with `refusal()`. */
  type Outcome = { granted: number; refusal?: () => Error };
  type Batch = { calls: number; outcome: Promise<Outcome> };

  /** Takes `calls` points from the caller's budget for `field`; says how many of the calls it granted. */
  function consume(field: string, ctx: RequestContext, caller: Caller, calls: number): Promise<Outcome> {
    return store.consume(field, caller, calls).then(
      (res) => {
        ctx.rateLimits.counted(store.budgetOf(field, caller, res, clock()));
        return { granted: calls };
      },
      (rejection: unknown) => {
        if (rejection instanceof Error) throw rejection;
        const now = clock();
        const over = rejection as RateLimiterRes;
        const budget = store.budgetOf(field, caller, over, now);
        ctx.rateLimits.counted(budget);
        // As if each call had consumed one point in turn: the first ones fit in what was left, the rest are refused.
        const granted = Math.max(0, Math.min(calls, budget.limit - (over.consumedPoints - calls)));
        const retryAfter = retryAfterSeconds(budget.resetAt, now);
        if (calls > granted) onRefused?.(field, caller.tier, calls - granted);
        ctx.log.warn(
          { event: 'rate_limited', field, ip: ctx.client.ip, retryAfter, refused: calls - granted },
          'field limit refused a call',
        );
        return {
          granted,
          refusal: () => rateLimited(`Too many requests for ${field}`, { limit: budget.limit, resetAt: budget.resetAt, now }),
        };
      },
    );
  }

  /**
   * The resolutions of one field that start together in one request — its aliases, or one per item of a
   * list — are counted in one `consume` of as many points, instead of one limiter call each. The batch
   * closes when the caller is known: a promise's callback never runs before the code that is running, so
   * every resolution started in the same pass has joined it by then. (Fields used before sign-in count
   * against the address whoever calls, so no token buys more.)
   */
  function count(field: string, ctx: RequestContext): Promise<void> {
    const batches = ctx.rateLimits.pending as Map<string, Batch>;
    let batch = batches.get(field);
    if (!batch) {
      const open: Batch = { calls: 0, outcome: undefined as unknown as Promise<Outcome> };
      open.outcome = store.callerFor(field, ctx.caller, ctx.client.ip).then((caller) => {
        batches.delete(field);
        return consume(field, ctx, caller, open.calls);
      });
      batches.set(field, open);
      batch = open;
    }
    const turn = batch.calls++;
    return batch.outcome.then(({ granted, refusal }) => {
      if (turn >= granted && refusal) throw refusal();
    });
  }

  const transform = (schema: GraphQLSchema) =>
    mapSchema(schema, {
      [MapperKind.OBJECT_FIELD]: (config, fieldName, typeName) => {
        if (!getDirective(schema, config, NAME)?.length) return config;
        const field = `${typeName}.${fieldName}`;
        const resolve = config.resolve ?? defaultFieldResolver;
        return {
          ...config,
          resolve: (source, args, ctx: RequestContext, info) => count(field, ctx).then(() => resolve(source, args, ctx, info)),
        };
      },
    });

  return { directive: rateLimitDirectiveDefinition, transform };
}

/** The @rateLimit definition, so the emitted SDL declares it. */
export const rateLimitDirectiveDefinition = buildSdl(
  `${rateLimitDirective().rateLimitDirectiveTypeDefs}\ntype Query { _: Int }`,
).getDirective(NAME) as GraphQLDirective;
