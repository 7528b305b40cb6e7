import { Arg, Ctx, Directive, Mutation, Resolver } from 'type-graphql';
import type { RequestContext } from '../request/request-context.js';
import { unauthenticated } from '../../errors.js';
import { rateLimitDirectiveFor } from '../rate-limit/rate-limit.table.js';
import { AuthPayload, LoginInput, RegisterInput, RegisterResult, RegistrationPending } from './auth.types.js';
import type { AuthRequest } from './auth.service.js';
import { deliver } from './deliver.js';

/**
 * Sign-up, sign-in and refresh run SQL statements and transaction(), which forks its own EntityManager: a fork
 * per request built a unit of work nobody used. Without it, and with src/random.ts's pooled token bytes, a
 * sign-in's main thread went from 1.207 to 1.069 ms (bench/ab.ts, login).
 */
const sqlOnly = (ctx: RequestContext): AuthRequest => ({ em: ctx.sql, log: ctx.log, client: ctx.client });

@Resolver()
export class AuthResolver {
  @Directive(rateLimitDirectiveFor('Mutation.register'))
  @Mutation(() => RegisterResult, {
    description:
      'Creates an account. SIGNUP_MODE=open: signs it in (AuthPayload). verify-first: RegistrationPending for every valid address, new or taken; sign-in waits until the mailed link is followed.',
  })
  async register(
    @Arg('input', () => RegisterInput, { description: 'The new account.' }) input: RegisterInput,
    @Ctx() ctx: RequestContext,
  ): Promise<AuthPayload | RegistrationPending> {
    const result = await ctx.services.auth.register(sqlOnly(ctx), input);
    return result instanceof RegistrationPending ? result : deliver(ctx, result);
  }

  @Directive(rateLimitDirectiveFor('Mutation.login'))
  @Mutation(() => AuthPayload, { description: 'Signs in by email or username.' })
  async login(
    @Arg('input', () => LoginInput, { description: 'The credentials.' }) input: LoginInput,
    @Ctx() ctx: RequestContext,
  ) {
    return deliver(ctx, await ctx.services.auth.login(sqlOnly(ctx), input));
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
    return deliver(ctx, await ctx.services.auth.refresh(sqlOnly(ctx), presented));
  }
}
