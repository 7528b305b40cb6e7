import { Arg, Ctx, Directive, Mutation, Resolver } from 'type-graphql';
import type { RequestContext } from '../request/request-context.js';
import { unauthenticated } from '../../errors.js';
import { rateLimitDirectiveFor } from '../rate-limit/rate-limit.table.js';
import { AuthPayload, LoginInput, RegisterInput } from './auth.types.js';
import { deliver } from './deliver.js';

@Resolver()
export class AuthResolver {
  @Directive(rateLimitDirectiveFor('Mutation.register'))
  @Mutation(() => AuthPayload, { description: 'Creates an account and signs it in.' })
  async register(
    @Arg('input', () => RegisterInput, { description: 'The new account.' }) input: RegisterInput,
    @Ctx() ctx: RequestContext,
  ) {
    return deliver(ctx, await ctx.services.auth.register(ctx, input));
  }

  @Directive(rateLimitDirectiveFor('Mutation.login'))
  @Mutation(() => AuthPayload, { description: 'Signs in by email or username.' })
  async login(
    @Arg('input', () => LoginInput, { description: 'The credentials.' }) input: LoginInput,
    @Ctx() ctx: RequestContext,
  ) {
    return deliver(ctx, await ctx.services.auth.login(ctx, input));
  }

  @Directive(rateLimitDirectiveFor('Mutation.refresh'))
  @Mutation(() => AuthPayload, {
    description:
      'Exchanges a refresh token (the argument, or in cookie mode the cookie) for new tokens. ' +
      'The old refresh token stops working.',
  })
  async refresh(
    @Arg('refreshToken', () => String, {
      nullable: true,
      description: 'The refresh token; omit it in cookie mode. UNAUTHENTICATED if unknown, expired, ended or replayed.',
    })
    refreshToken: string | null,
    @Ctx() ctx: RequestContext,
  ) {
    const presented = refreshToken ?? ctx.refreshCookie.read();
    if (!presented) throw unauthenticated('A refresh token is required.');
    return deliver(ctx, await ctx.services.auth.refresh(ctx, presented));
  }
}
