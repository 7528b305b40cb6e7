import { Arg, Ctx, Directive, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../context.js';
import { AppError, badInput, ErrorCode } from '../../errors.js';
import { rateLimitDirectiveFor } from '../rate-limit/rate-limit.table.js';
import { Tier } from '../user/tier.js';
import { User } from '../user/user.entity.js';
import { UserConnection } from './admin.types.js';
import { decodeCursor, encodeCursor } from './user-cursor.js';
import { isUuid } from '../../ids.js';

export const MAX_PAGE_SIZE = 100;

/** Admin-only fields; the permission rules keep everyone else out before these run. */
@Resolver()
export class AdminResolver {
  @Directive(rateLimitDirectiveFor('Query.users'))
  @Query(() => UserConnection, { description: `Every user, oldest first, at most ${MAX_PAGE_SIZE} a page. Admins only.` })
  async users(
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null | undefined,
    @Ctx() ctx: RequestContext,
  ): Promise<UserConnection> {
    if (first < 1 || first > MAX_PAGE_SIZE) throw badInput('first', `first must be between 1 and ${MAX_PAGE_SIZE}.`);
    const key = after == null ? null : decodeCursor(after);
    if (after != null && !key) throw badInput('after', 'after is not a cursor from this API.');
    const where = key ? { $or: [{ createdAt: { $gt: key.createdAt } }, { createdAt: key.createdAt, id: { $gt: key.id } }] } : {};
    const rows = await ctx.em.find(User, where, { orderBy: { createdAt: 'asc', id: 'asc' }, limit: first + 1 });
    const page = rows.slice(0, first);
    const edges = page.map((node) => ({ cursor: encodeCursor(node), node }));
    return { edges, pageInfo: { endCursor: edges.at(-1)?.cursor ?? null, hasNextPage: rows.length > first } };
  }

  @Directive(rateLimitDirectiveFor('Mutation.setUserTier'))
  @Mutation(() => User, { description: "Changes a user's tier; it applies from their next request. Admins only." })
  async setUserTier(
    @Arg('userId', () => ID) userId: string,
    @Arg('tier', () => Tier) tier: Tier,
    @Ctx() ctx: RequestContext,
  ): Promise<User> {
    const user = isUuid(userId) ? await ctx.em.findOne(User, userId) : null;
    if (!user) throw new AppError(ErrorCode.NOT_FOUND, 'No such user.', { field: 'userId' });
    const before = user.tier;
    user.tier = tier;
    await ctx.em.flush();
    const admin = (await ctx.viewer()).user.id;
    ctx.log.info({ event: 'tier_changed', userId, from: before, to: tier, by: admin }, 'tier changed');
    return user;
  }
}
