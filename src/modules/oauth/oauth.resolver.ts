import { Arg, Ctx, Directive, Field, FieldResolver, Mutation, ObjectType, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../request/request-context.js';
import { AuthPayload } from '../auth/auth.types.js';
import { deliver } from '../auth/deliver.js';
import { rateLimitDirectiveFor } from '../rate-limit/rate-limit.table.js';
import { User } from '../user/user.entity.js';
import { OAuthProvider } from './oauth.provider.js';

@ObjectType({ description: 'Where to send the browser, and the state to expect back.' })
export class OAuthStart {
  @Field(() => String, { description: "The provider's authorization URL: send the browser there." })
  authorizationUrl!: string;
  @Field(() => String, {
    description: 'Single-use and short-lived; completeOAuth must bring it back, or it answers OAUTH_FAILED.',
  })
  state!: string;
  @Field(() => String, {
    description:
      'Keep this in sessionStorage (never in the URL) and send it to completeOAuth: a flow finishes only in the browser that started it.',
  })
  binding!: string;
}

@Resolver()
export class OAuthResolver {
  @Directive(rateLimitDirectiveFor('Mutation.startOAuth'))
  @Mutation(() => OAuthStart, {
    description: 'Starts sign-in with a provider (authorization code + PKCE). Signed in, it links the provider to the caller.',
  })
  async startOAuth(
    @Arg('provider', () => OAuthProvider, { description: 'The provider to sign in with.' }) provider: OAuthProvider,
    @Arg('redirectUri', () => String, {
      description: 'Where the provider sends the browser back; must be in OAUTH_REDIRECT_URIS, else BAD_USER_INPUT.',
    })
    redirectUri: string,
    @Ctx() ctx: RequestContext,
  ): Promise<OAuthStart> {
    const viewer = await ctx.viewerOrNull();
    return ctx.services.oauth.start(ctx.em, provider, redirectUri, viewer?.user.id ?? null);
  }

  @Directive(rateLimitDirectiveFor('Mutation.completeOAuth'))
  @Mutation(() => AuthPayload, {
    description:
      'Finishes sign-in with the code and state the provider sent back and the binding startOAuth returned. A link flow needs the token of the user who started it.',
  })
  async completeOAuth(
    @Arg('provider', () => OAuthProvider, { description: 'The provider startOAuth was called with.' }) provider: OAuthProvider,
    @Arg('code', () => String, { description: 'The `code` query parameter the provider sent back.' }) code: string,
    @Arg('state', () => String, { description: 'The `state` query parameter the provider sent back.' }) state: string,
    @Arg('binding', () => String, {
      description: 'The binding startOAuth returned, kept by the browser that started the flow.',
    })
    binding: string,
    @Ctx() ctx: RequestContext,
  ): Promise<AuthPayload> {
    const callerId = (await ctx.viewerOrNull())?.user.id ?? null;
    return deliver(ctx, await ctx.services.oauth.complete(ctx, provider, { code, state, binding, callerId }));
  }

  @Directive(rateLimitDirectiveFor('Mutation.unlinkOAuth'))
  @Mutation(() => Boolean, { description: 'Unlinks a provider from the caller; refused when it is their only way to sign in.' })
  async unlinkOAuth(
    @Arg('provider', () => OAuthProvider, { description: 'The provider to unlink.' }) provider: OAuthProvider,
    @Ctx() ctx: RequestContext,
  ): Promise<boolean> {
    const { user } = await ctx.viewer();
    await ctx.services.oauth.unlink(ctx, user.id, provider);
    return true;
  }
}

@Resolver(() => User)
export class UserOAuthResolver {
  @FieldResolver(() => [OAuthProvider], { description: 'Providers linked to this account; only for the user themself.' })
  linkedProviders(@Root() user: User, @Ctx() ctx: RequestContext): Promise<OAuthProvider[]> {
    return ctx.services.oauth.linkedProviders(ctx.em, user.id);
  }
}
