import { Arg, Ctx, Directive, ID, Mutation, Query, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import type { RequestContext } from '../request/request-context.js';
import { notFound } from '../../errors.js';
import { rateLimitDirectiveFor } from '../rate-limit/rate-limit.table.js';
import { latestValueStream } from './progress-stream.js';
import { ReportProgressInput, ResourceProgress } from './progress.types.js';

/**
 * The viewer and the progress the resourceProgress field returns, in one round trip, shared by the field's
 * permission rule (which needs the viewer) and its resolver (which needs the progress).
 */
export const viewerWithProgress = (ctx: RequestContext, resourceId: string) =>
  ctx.viewerAlong(`progress:${resourceId}`, ctx.services.progress.readAlong(resourceId));

@Resolver()
export class ProgressResolver {
  @Directive(rateLimitDirectiveFor('Query.resourceProgress'))
  @Query(() => ResourceProgress, {
    nullable: true,
    description: 'Progress of a resource, for its owner and admins; null for anyone else, as for an unknown id.',
  })
  async resourceProgress(
    @Arg('resourceId', () => ID, { description: 'The resource, as its worker named it.' }) resourceId: string,
    @Ctx() ctx: RequestContext,
  ) {
    // The field's permission rule started this read, beside its session check; here it is only awaited.
    return (await viewerWithProgress(ctx, resourceId)).along;
  }

  @Directive(rateLimitDirectiveFor('Mutation.reportResourceProgress'))
  @Mutation(() => ResourceProgress, { description: 'Reports one stage of a resource. Service accounts and admins only.' })
  async reportResourceProgress(
    @Arg('input', () => ReportProgressInput, { description: 'The stage report.' }) input: ReportProgressInput,
    @Ctx() ctx: RequestContext,
  ) {
    // A worker's key is checked again by the write itself; an admin was checked by the gate.
    const worker = await ctx.serviceAccount();
    return ctx.services.progress.report(ctx.em, input, worker && { serviceAccountId: worker.id, keyHash: worker.keyHash });
  }

  @Subscription(() => ResourceProgress, {
    description: 'The current progress, then every change. Over graphql-ws on /graphql; same readers as resourceProgress.',
    subscribe: ({ args, context }: SubscribeResolverData<unknown, { resourceId: string }, RequestContext>) =>
      subscribeToProgress(context, args.resourceId),
  })
  resourceProgressChanged(
    @Root() progress: ResourceProgress,
    @Arg('resourceId', () => ID, { description: 'The resource to watch; NOT_FOUND if unknown or not yours.' })
    _resourceId: string,
  ): ResourceProgress {
    return progress;
  }
}

async function subscribeToProgress(ctx: RequestContext, resourceId: string): Promise<AsyncIterableIterator<ResourceProgress>> {
  const { progress, bus } = ctx.services;
  // Every read asks who the subscriber is now: a demoted admin or an ended session gets no further event.
  // Unknown, expired and someone else's resources are refused alike, so ids cannot be probed.
  const readNow = async (): Promise<ResourceProgress> => {
    const { user } = await ctx.freshViewer();
    const state = await progress.read(ctx.em.fork(), resourceId, user);
    if (!state) throw notFound('resourceId', 'No such resource.');
    return state;
  };
  const initial = await readNow();

  let unsubscribe = () => {};
  const stream = latestValueStream<ResourceProgress>(() => unsubscribe());
  // A change notified late — a report made just before this subscription, its NOTIFY arriving after the
  // first read — re-reads the state already sent: the subscriber gets each state once.
  let last = JSON.stringify(initial);
  unsubscribe = bus.onProgress(resourceId, () => {
    readNow().then(
      (state) => {
        const seen = JSON.stringify(state);
        if (seen === last) return;
        last = seen;
        stream.push(state);
      },
      (error: unknown) => stream.fail(error),
    );
  });
  stream.push(initial);
  return stream.iterator;
}
