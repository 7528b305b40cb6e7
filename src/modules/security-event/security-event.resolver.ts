import { Arg, Ctx, Directive, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../context.js';
import { rateLimitDirectiveFor } from '../rate-limit/rate-limit.table.js';
import { requireSelf } from '../session/session.resolver.js';
import { User } from '../user/user.entity.js';
import type { UserView } from '../user/user.view.js';
import { SecurityEvent } from './security-event.entity.js';

@Resolver(() => User)
export class UserSecurityEventsResolver {
  @Directive(rateLimitDirectiveFor('User.securityEvents'))
  @FieldResolver(() => [SecurityEvent], { description: 'Recent security events, newest first; only for the user themself.' })
  async securityEvents(
    @Root() user: UserView,
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Ctx() ctx: RequestContext,
  ): Promise<SecurityEvent[]> {
    await requireSelf(ctx, user);
    return ctx.services.securityEvents.recent(ctx.em, user.id, first);
  }
}
