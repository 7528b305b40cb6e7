import { Ctx, Directive, Field, Int, ObjectType, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../request/request-context.js';
import { Tier } from '../user/tier.js';
import { rateLimitDirectiveFor } from './rate-limit.table.js';

@ObjectType({ description: "The caller's budget for one rate-limited field." })
export class FieldRateLimit {
  @Field(() => String, { description: 'Schema coordinate, e.g. Query.me.' })
  field!: string;
  @Field(() => Int, { description: "Requests allowed per window for the caller's tier." })
  limit!: number;
  @Field(() => Int, { description: 'Requests counted in the current window.' })
  used!: number;
  @Field(() => Int, { description: 'Requests left in the current window; at 0 the field answers RATE_LIMITED.' })
  remaining!: number;
  @Field(() => Int, { description: 'Length of the window, in seconds.' })
  windowSeconds!: number;
  @Field(() => Date, { description: 'When the used count goes back to zero.' })
  resetAt!: Date;
}

@ObjectType({ description: "The caller's rate-limit budgets, read without spending any." })
export class RateLimitStatus {
  @Field(() => Tier, { description: 'The tier the budgets are for; FREE for anonymous callers.' })
  tier!: Tier;
  @Field(() => [FieldRateLimit], { description: 'Every rate-limited field except rateLimitStatus itself.' })
  limits!: FieldRateLimit[];
}

const SELF = 'Query.rateLimitStatus';

@Resolver()
export class RateLimitResolver {
  @Directive(rateLimitDirectiveFor(SELF))
  @Query(() => RateLimitStatus, {
    description: "The caller's remaining budget for every rate-limited field. Reading it consumes none of the others.",
  })
  async rateLimitStatus(@Ctx() ctx: RequestContext): Promise<RateLimitStatus> {
    const caller = await ctx.caller();
    const now = ctx.services.clock();
    const store = ctx.services.rateLimits;
    const fields = Object.keys(store.table)
      .filter((f) => f !== SELF)
      .sort();
    const peek = async (f: string) => store.peek(f, await store.callerFor(f, async () => caller, ctx.client.ip), now);
    return { tier: caller.tier, limits: await Promise.all(fields.map(peek)) };
  }
}
