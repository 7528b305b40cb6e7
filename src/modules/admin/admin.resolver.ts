import { Arg, Ctx, Directive, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../request/request-context.js';
import { rateLimitDirectiveFor } from '../rate-limit/rate-limit.table.js';
import { Tier } from '../user/tier.js';
import { User } from '../user/user.entity.js';
import type { UserView } from '../user/user.view.js';
import { MAX_PAGE_SIZE, type UserPage } from './admin.service.js';
import { UserConnection } from './admin.types.js';

/** Admin-only fields; the permission rules keep everyone else out before these run. */
@Resolver()
export class AdminResolver {
  @Directive(rateLimitDirectiveFor('Query.users'))
  @Query(() => UserConnection, { description: `Every user, oldest first, at most ${MAX_PAGE_SIZE} a page. Admins only.` })
  users(
    @Arg('first', () => Int, { defaultValue: 20, description: `Page size, 1 to ${MAX_PAGE_SIZE}; else BAD_USER_INPUT.` })
    first: number,
    @Arg('after', () => String, {
      nullable: true,
      description: 'An endCursor from a previous page; anything else is BAD_USER_INPUT.',
    })
    after: string | null | undefined,
    @Ctx() ctx: RequestContext,
  ): Promise<UserPage> {
    return ctx.services.admin.listUsers(ctx.em, first, after ?? null);
  }

  @Directive(rateLimitDirectiveFor('Mutation.setUserTier'))
  @Mutation(() => User, { description: "Changes a user's tier; it applies from their next request. Admins only." })
  async setUserTier(
    @Arg('userId', () => ID, { description: 'The user; NOT_FOUND if there is none.' }) userId: string,
    @Arg('tier', () => Tier, { description: 'The new tier.' }) tier: Tier,
    @Ctx() ctx: RequestContext,
  ): Promise<UserView> {
    const admin = (await ctx.viewer()).user.id;
    const { user, before } = await ctx.services.admin.setTier(ctx.sql, userId, tier, { id: admin, clientAddress: ctx.client.ip });
    ctx.log.info({ event: 'tier_changed', userId, from: before, to: tier, by: admin }, 'tier changed');
    return user;
  }
}
