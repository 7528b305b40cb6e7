import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { RequestContext } from '../../context.js';
import { AuthPayload, LoginInput, RegisterInput } from './auth.types.js';

@Resolver()
export class AuthResolver {
  @Mutation(() => AuthPayload, { description: 'Creates an account and signs it in.' })
  register(@Arg('input', () => RegisterInput) input: RegisterInput, @Ctx() ctx: RequestContext) {
    return ctx.services.auth.register(ctx, input);
  }

  @Mutation(() => AuthPayload, { description: 'Signs in by email or username.' })
  login(@Arg('input', () => LoginInput) input: LoginInput, @Ctx() ctx: RequestContext) {
    return ctx.services.auth.login(ctx, input);
  }
}
