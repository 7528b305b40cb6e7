import { Ctx, Directive, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../request/request-context.js';
import { rateLimitDirectiveFor } from '../rate-limit/rate-limit.table.js';
import type { UserView } from './user.view.js';
import { User } from './user.entity.js';

@Resolver(() => User)
export class UserResolver {
  @Directive(rateLimitDirectiveFor('Query.me'))
  @Query(() => User, { description: 'The signed-in user.' })
  async me(@Ctx() ctx: RequestContext): Promise<UserView> {
    return (await ctx.viewer()).user;
  }
}
