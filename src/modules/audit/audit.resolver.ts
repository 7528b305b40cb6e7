import { Arg, Ctx, Directive, Int, Query, Resolver } from 'type-graphql';
import { rateLimitDirectiveFor } from '../rate-limit/rate-limit.table.js';
import type { RequestContext } from '../request/request-context.js';
import { type AuditPage, MAX_AUDIT_PAGE } from './audit.service.js';
import { AuditEntryConnection } from './audit.types.js';

/** Admin-only (see the permission rules): everyone else gets FORBIDDEN before this runs. */
@Resolver()
export class AuditResolver {
  @Directive(rateLimitDirectiveFor('Query.auditLog'))
  @Query(() => AuditEntryConnection, {
    description: `What administrators did (tier changes, service accounts created and revoked), newest first, at most ${MAX_AUDIT_PAGE} a page. Admins only; FORBIDDEN for anyone else.`,
  })
  auditLog(
    @Arg('first', () => Int, {
      nullable: true,
      defaultValue: 20,
      description: `Page size, 1 to ${MAX_AUDIT_PAGE}; else BAD_USER_INPUT. Default: 20.`,
    })
    first: number | null,
    @Arg('after', () => String, {
      nullable: true,
      description: 'A pageInfo.endCursor from a previous page, for the entries older than it; anything else is BAD_USER_INPUT.',
    })
    after: string | null | undefined,
    @Ctx() ctx: RequestContext,
  ): Promise<AuditPage> {
    return ctx.services.audit.list(ctx.sql, first ?? 20, after ?? null);
  }
}
