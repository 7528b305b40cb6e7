import { Arg, Ctx, Directive, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../request/request-context.js';
import { notFound } from '../../errors.js';
import { isUuid } from '../../ids.js';
import { rateLimitDirectiveFor } from '../rate-limit/rate-limit.table.js';
import { User } from '../user/user.entity.js';
import type { UserView } from '../user/user.view.js';
import { Session } from './session.entity.js';

@Resolver(() => Session)
export class SessionResolver {
  @FieldResolver(() => Boolean, { description: 'Whether this is the session of the access token making the request.' })
  async current(@Root() session: Session, @Ctx() ctx: RequestContext): Promise<boolean> {
    return (await ctx.viewer()).session.id === session.id;
  }

  @Directive(rateLimitDirectiveFor('Mutation.logout'))
  @Mutation(() => Boolean, { description: "Ends the caller's session, or all of the caller's sessions." })
  async logout(
    @Arg('allSessions', () => Boolean, {
      defaultValue: false,
      description:
        'End every session of the caller, on every device; device tokens and pending email-change and verification links issued before stop working too.',
    })
    allSessions: boolean,
    @Ctx() ctx: RequestContext,
  ): Promise<boolean> {
    const { user, session } = await ctx.viewer();
    const ending = { userId: user.id, sessionId: session.id, reason: 'logout' as const, client: ctx.client };
    // Signing out everywhere is what someone does who fears another holds their account: it ends what
    // that other holds, not only the sessions.
    if (allSessions) await ctx.services.sessions.revokeCredentials(ctx.em, ending);
    else await ctx.services.sessions.end(ctx.em, ending);
    if (ctx.refreshCookie.present || ctx.refreshCookie.requested) ctx.refreshCookie.clear();
    ctx.log.info({ event: 'logout', userId: user.id, allSessions }, 'logged out');
    return true;
  }

  @Directive(rateLimitDirectiveFor('Mutation.revokeSession'))
  @Mutation(() => Boolean, { description: "Ends one of the caller's own sessions." })
  async revokeSession(
    @Arg('id', () => ID, { description: "One of the caller's sessions; NOT_FOUND for any other id." }) id: string,
    @Ctx() ctx: RequestContext,
  ): Promise<boolean> {
    const { user } = await ctx.viewer();
    // Someone else's session answers exactly like one that does not exist.
    const ended = isUuid(id)
      ? await ctx.services.sessions.end(ctx.em, { userId: user.id, sessionId: id, reason: 'revoked', client: ctx.client })
      : 0;
    if (!ended) throw notFound('id', 'No such session.');
    ctx.log.info({ event: 'session_revoked', userId: user.id, sessionId: id }, 'session revoked');
    return true;
  }
}

/** The account holder only: the permission rules (isSelf) refuse anyone else before this runs. */
@Resolver(() => User)
export class UserSessionsResolver {
  @Directive(rateLimitDirectiveFor('User.sessions'))
  @FieldResolver(() => [Session], { description: 'The active sessions; only for the signed-in user themself.' })
  sessions(@Root() user: UserView, @Ctx() ctx: RequestContext): Promise<Session[]> {
    return ctx.services.sessions.listActive(ctx.em, user.id);
  }
}
