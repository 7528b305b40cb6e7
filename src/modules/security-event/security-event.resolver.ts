import { Arg, Ctx, Directive, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../request/request-context.js';
import { rateLimitDirectiveFor } from '../rate-limit/rate-limit.table.js';
import { User } from '../user/user.entity.js';
import type { UserView } from '../user/user.view.js';
import { SecurityEvent } from './security-event.entity.js';

/** The account holder only: the permission rules (isSelf) refuse anyone else before this runs. */
@Resolver(() => User)
export class UserSecurityEventsResolver {
  @Directive(rateLimitDirectiveFor('User.securityEvents'))
  @FieldResolver(() => [SecurityEvent], { description: 'Recent security events, newest first; only for the user themself.' })
  async securityEvents(
    @Root() user: UserView,
    @Arg('first', () => Int, { defaultValue: 20, description: 'How many, newest first: 1 to 100; else BAD_USER_INPUT.' })
    first: number,
    @Ctx() ctx: RequestContext,
  ): Promise<SecurityEvent[]> {
    return ctx.services.securityEvents.recent(ctx.em, user.id, first);
  }
}
