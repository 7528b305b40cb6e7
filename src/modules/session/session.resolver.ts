import { Arg, Ctx, Directive, FieldResolver, ID, Int, Mutation, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../context.js';
import { AppError, ErrorCode } from '../../errors.js';
import { rateLimitDirectiveFor } from '../rate-limit/rate-limit.table.js';
import { User } from '../user/user.entity.js';
import { SecurityEvent } from './security-event.entity.js';
import { SecurityEventType } from './security-events.js';
import { Session } from './session.entity.js';
import { isUuid } from '../../ids.js';

@Resolver(() => Session)
export class SessionResolver {
  @FieldResolver(() => Boolean, { description: 'Whether this is the session of the access token making the request.' })
  async current(@Root() session: Session, @Ctx() ctx: RequestContext): Promise<boolean> {
    return (await ctx.viewer()).session.id === session.id;
  }

  @Directive(rateLimitDirectiveFor('Mutation.logout'))
  @Mutation(() => Boolean, { description: "Ends the caller's session, or all of the caller's sessions." })
  async logout(
    @Arg('allSessions', () => Boolean, { defaultValue: false }) allSessions: boolean,
    @Ctx() ctx: RequestContext,
  ): Promise<boolean> {
    const { user, session } = await ctx.viewer();
    await ctx.em.transactional(async (tx) => {
      await ctx.services.sessions.revoke(tx, { userId: user.id, ...(allSessions ? {} : { sessionId: session.id }) }, 'logout');
      ctx.services.recordEvent(tx, {
        user: user.id,
        type: SecurityEventType.LOGGED_OUT,
        sessionId: session.id,
        client: ctx.client,
      });
    });
    await ctx.services.bus.publishSessionsEnded({ userId: user.id, sessionId: allSessions ? null : session.id });
    if (ctx.refreshCookie.present || ctx.refreshCookie.requested) ctx.refreshCookie.clear();
    ctx.log.info({ event: 'logout', userId: user.id, allSessions }, 'logged out');
    return true;
  }

  @Directive(rateLimitDirectiveFor('Mutation.revokeSession'))
  @Mutation(() => Boolean, { description: "Ends one of the caller's own sessions." })
  async revokeSession(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<boolean> {
    const { user } = await ctx.viewer();
    // Someone else's session answers exactly like one that does not exist.
    const ended = isUuid(id)
      ? await ctx.em.transactional(async (tx) => {
          const n = await ctx.services.sessions.revoke(tx, { userId: user.id, sessionId: id }, 'revoked');
          if (n)
            ctx.services.recordEvent(tx, {
              user: user.id,
              type: SecurityEventType.SESSION_REVOKED,
              sessionId: id,
              client: ctx.client,
            });
          return n;
        })
      : 0;
    if (!ended) throw new AppError(ErrorCode.NOT_FOUND, 'No such session.', { field: 'id' });
    await ctx.services.bus.publishSessionsEnded({ userId: user.id, sessionId: id });
    ctx.log.info({ event: 'session_revoked', userId: user.id, sessionId: id }, 'session revoked');
    return true;
  }
}

@Resolver(() => User)
export class UserSessionsResolver {
  @Directive(rateLimitDirectiveFor('User.sessions'))
  @FieldResolver(() => [Session], { description: 'The active sessions; only for the signed-in user themself.' })
  async sessions(@Root() user: User, @Ctx() ctx: RequestContext): Promise<Session[]> {
    await requireSelf(ctx, user);
    return ctx.services.sessions.listActive(ctx.em, user.id);
  }

  @Directive(rateLimitDirectiveFor('User.securityEvents'))
  @FieldResolver(() => [SecurityEvent], { description: 'Recent security events, newest first; only for the user themself.' })
  async securityEvents(
    @Root() user: User,
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Ctx() ctx: RequestContext,
  ): Promise<SecurityEvent[]> {
    await requireSelf(ctx, user);
    if (first < 1 || first > 100)
      throw new AppError(ErrorCode.BAD_USER_INPUT, 'first must be between 1 and 100.', { field: 'first' });
    return ctx.em.find(SecurityEvent, { user: user.id }, { orderBy: { at: 'desc', id: 'desc' }, limit: first });
  }
}

async function requireSelf(ctx: RequestContext, user: User) {
  const viewer = await ctx.viewer();
  if (viewer.user.id !== user.id) throw new AppError(ErrorCode.FORBIDDEN, 'Only the account holder may see this.');
}
