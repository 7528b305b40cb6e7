import { Arg, Ctx, Field, ID, Mutation, ObjectType, Resolver } from 'type-graphql';
import type { RequestContext } from '../../context.js';
import { AppError, badInput, ErrorCode } from '../../errors.js';
import { hashServiceKey, newServiceKey } from './service-account.key.js';
import { ServiceAccount } from './service-account.entity.js';
import { isUuid } from '../../ids.js';

@ObjectType({ description: 'A new service account and its key. The key is shown this once.' })
export class ServiceAccountCredentials {
  @Field(() => ServiceAccount)
  serviceAccount!: ServiceAccount;
  @Field(() => String, { description: 'Send as Authorization: Bearer <apiKey>. Store it as a secret.' })
  apiKey!: string;
}

/** Admin-only (see the permission rules). */
@Resolver()
export class ServiceAccountResolver {
  @Mutation(() => ServiceAccountCredentials, { description: 'Creates a worker identity that may report progress. Admins only.' })
  async createServiceAccount(
    @Arg('name', () => String) name: string,
    @Ctx() ctx: RequestContext,
  ): Promise<ServiceAccountCredentials> {
    const trimmed = name.trim();
    if (trimmed.length < 1 || trimmed.length > 100) throw badInput('name', 'name must be 1 to 100 characters.');
    const { user } = await ctx.viewer();
    const apiKey = newServiceKey();
    const serviceAccount = ctx.em.create(ServiceAccount, {
      name: trimmed,
      keyHash: hashServiceKey(apiKey),
      keyPrefix: apiKey.slice(0, 12),
      createdBy: user.id,
      createdAt: ctx.services.clock(),
    });
    await ctx.em.flush();
    ctx.log.info(
      { event: 'service_account_created', serviceAccountId: serviceAccount.id, by: user.id },
      'service account created',
    );
    return { serviceAccount, apiKey };
  }

  @Mutation(() => Boolean, { description: 'Revokes a service account; its key stops working at once. Admins only.' })
  async revokeServiceAccount(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<boolean> {
    const revoked = isUuid(id)
      ? await ctx.em.nativeUpdate(ServiceAccount, { id, revokedAt: null }, { revokedAt: ctx.services.clock() })
      : 0;
    if (!revoked) throw new AppError(ErrorCode.NOT_FOUND, 'No such active service account.', { field: 'id' });
    ctx.log.info({ event: 'service_account_revoked', serviceAccountId: id }, 'service account revoked');
    return true;
  }
}
