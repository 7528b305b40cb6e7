import { Arg, Ctx, Field, ID, Mutation, ObjectType, Resolver } from 'type-graphql';
import type { RequestContext } from '../request/request-context.js';
import { ServiceAccount } from './service-account.entity.js';

@ObjectType({ description: 'A new service account and its key. The key is shown this once.' })
export class ServiceAccountCredentials {
  @Field(() => ServiceAccount, { description: 'The new service account.' })
  serviceAccount!: ServiceAccount;
  @Field(() => String, { description: 'Send as Authorization: Bearer <apiKey>. Store it as a secret.' })
  apiKey!: string;
}

/** Admin-only (see the permission rules). */
@Resolver()
export class ServiceAccountResolver {
  @Mutation(() => ServiceAccountCredentials, { description: 'Creates a worker identity that may report progress. Admins only.' })
  async createServiceAccount(
    @Arg('name', () => String, { description: 'What the worker is, for people: 1 to 100 characters; else BAD_USER_INPUT.' })
    name: string,
    @Ctx() ctx: RequestContext,
  ): Promise<ServiceAccountCredentials> {
    const { user } = await ctx.viewer();
    const created = await ctx.services.serviceAccounts.create(ctx.sql, name, { id: user.id, clientAddress: ctx.client.ip });
    ctx.log.info(
      { event: 'service_account_created', serviceAccountId: created.serviceAccount.id, by: user.id },
      'service account created',
    );
    return created;
  }

  @Mutation(() => Boolean, { description: 'Revokes a service account; its key stops working at once. Admins only.' })
  async revokeServiceAccount(
    @Arg('id', () => ID, { description: 'The service account; NOT_FOUND if there is none.' }) id: string,
    @Ctx() ctx: RequestContext,
  ): Promise<boolean> {
    const { user } = await ctx.viewer();
    await ctx.services.serviceAccounts.revoke(ctx.sql, id, { id: user.id, clientAddress: ctx.client.ip });
    ctx.log.info({ event: 'service_account_revoked', serviceAccountId: id, by: user.id }, 'service account revoked');
    return true;
  }
}
