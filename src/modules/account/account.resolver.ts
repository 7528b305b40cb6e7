import { Arg, Ctx, Directive, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../request/request-context.js';
import { AuthPayload } from '../auth/auth.types.js';
import { deliver } from '../auth/deliver.js';
import { rateLimitDirectiveFor } from '../rate-limit/rate-limit.table.js';
import type { UserView } from '../user/user.view.js';
import { User } from '../user/user.entity.js';

const caller = async (ctx: RequestContext) => {
  const viewer = await ctx.viewer();
  return { userId: viewer.user.id, sessionId: viewer.session.id };
};

/** Argument options shared by the mutations that take a mailed token or re-check the password. */
const mailedToken = {
  description: 'The token from the mailed link; single use. A bad, used or expired one answers INVALID_TOKEN.',
};
const currentPasswordArg = {
  nullable: true,
  description: 'Required when the account has a password; a wrong one answers INVALID_CREDENTIALS.',
};

@Resolver()
export class AccountResolver {
  @Directive(rateLimitDirectiveFor('Mutation.requestEmailVerification'))
  @Mutation(() => Boolean, { description: 'Sends (again) a verification link to the caller’s current address.' })
  async requestEmailVerification(@Ctx() ctx: RequestContext): Promise<boolean> {
    await ctx.services.accounts.requestEmailVerification(ctx, (await ctx.viewer()).user);
    return true;
  }

  @Directive(rateLimitDirectiveFor('Mutation.verifyEmail'))
  @Mutation(() => User, { description: 'Marks the address verified with the token from the mail. Single use, 24 hours.' })
  verifyEmail(
    @Arg('token', () => String, mailedToken)
    token: string,
    @Ctx() ctx: RequestContext,
  ): Promise<UserView> {
    return ctx.services.accounts.verifyEmail(ctx, token);
  }

  @Directive(rateLimitDirectiveFor('Mutation.requestPasswordReset'))
  @Mutation(() => Boolean, {
    description: 'Mails a reset link if an account has this address. Always true, answered alike for every address.',
  })
  requestPasswordReset(
    @Arg('email', () => String, { description: 'The address of the account; the answer is the same whether or not one exists.' })
    email: string,
    @Arg('deviceToken', () => String, {
      nullable: true,
      description:
        'The device token from an earlier sign-in on this device, if any: the owner asking from a known device is mailed even when strangers have spent the address’s hourly share.',
    })
    deviceToken: string | null | undefined,
    @Ctx() ctx: RequestContext,
  ): boolean {
    ctx.services.accounts.requestPasswordReset(ctx, email, deviceToken ?? null);
    return true;
  }

  @Directive(rateLimitDirectiveFor('Mutation.resetPassword'))
  @Mutation(() => Boolean, {
    description: 'Sets a new password with the token from the mail (single use, 30 minutes) and ends every session.',
  })
  async resetPassword(
    @Arg('token', () => String, mailedToken)
    token: string,
    @Arg('newPassword', () => String, { description: '8 to 128 characters, not a common password; BAD_USER_INPUT otherwise.' })
    newPassword: string,
    @Ctx() ctx: RequestContext,
  ): Promise<boolean> {
    await ctx.services.accounts.resetPassword(ctx, token, newPassword);
    return true;
  }

  @Directive(rateLimitDirectiveFor('Mutation.changePassword'))
  @Mutation(() => AuthPayload, {
    description:
      'Changes (or, for an account made with Google or GitHub, sets) the password. Every session ends; the caller gets new tokens. currentPassword is required when the account has one; without one, the caller must have signed in within the last 10 minutes.',
  })
  async changePassword(
    @Arg('currentPassword', () => String, currentPasswordArg)
    currentPassword: string | null,
    @Arg('newPassword', () => String, { description: '8 to 128 characters, not a common password; BAD_USER_INPUT otherwise.' })
    newPassword: string,
    @Ctx() ctx: RequestContext,
  ): Promise<AuthPayload> {
    return deliver(ctx, await ctx.services.accounts.changePassword(ctx, await caller(ctx), currentPassword ?? null, newPassword));
  }

  @Directive(rateLimitDirectiveFor('Mutation.requestEmailChange'))
  @Mutation(() => Boolean, {
    description:
      'Mails a confirmation link to the new address; the old one is told once the change is confirmed. Answered alike whether or not the new address is taken.',
  })
  async requestEmailChange(
    @Arg('newEmail', () => String, { description: 'The new address; the link goes there, and the old address is told.' })
    newEmail: string,
    @Arg('currentPassword', () => String, currentPasswordArg)
    currentPassword: string | null,
    @Ctx() ctx: RequestContext,
  ): Promise<boolean> {
    await ctx.services.accounts.requestEmailChange(ctx, await caller(ctx), newEmail, currentPassword ?? null);
    return true;
  }

  @Directive(rateLimitDirectiveFor('Mutation.confirmEmailChange'))
  @Mutation(() => User, {
    description: 'Moves the account to the new address with the token from the mail (single use, 24 hours); ends every session.',
  })
  confirmEmailChange(
    @Arg('token', () => String, mailedToken)
    token: string,
    @Ctx() ctx: RequestContext,
  ): Promise<UserView> {
    return ctx.services.accounts.confirmEmailChange(ctx, token);
  }

  @Directive(rateLimitDirectiveFor('Mutation.revertEmailChange'))
  @Mutation(() => Boolean, {
    description:
      'Undoes an email change with the token from the notice mailed to the old address (single use, 7 days): puts the old address back, ends every session and voids every link and device token issued before. Works even after the change ended every session. Always true; INVALID_TOKEN otherwise, CONFLICT when the old address now belongs to another account.',
  })
  async revertEmailChange(
    @Arg('token', () => String, mailedToken)
    token: string,
    @Ctx() ctx: RequestContext,
  ): Promise<boolean> {
    await ctx.services.accounts.revertEmailChange(ctx, token);
    return true;
  }

  @Directive(rateLimitDirectiveFor('Mutation.deleteAccount'))
  @Mutation(() => Boolean, {
    description:
      'Deletes the caller’s account and everything that belongs to it, ending every session. See docs/guide/accounts.md for what is kept.',
  })
  async deleteAccount(
    @Arg('currentPassword', () => String, currentPasswordArg)
    currentPassword: string | null,
    @Ctx() ctx: RequestContext,
  ): Promise<boolean> {
    await ctx.services.accounts.deleteAccount(ctx, await caller(ctx), currentPassword ?? null);
    if (ctx.refreshCookie.present || ctx.refreshCookie.requested) ctx.refreshCookie.clear();
    return true;
  }
}

@Resolver(() => User)
export class UserAccountResolver {
  @FieldResolver(() => Boolean, { description: 'Whether the account has a password (false: Google or GitHub only).' })
  hasPassword(@Root() user: UserView, @Ctx() ctx: RequestContext): Promise<boolean> {
    return ctx.services.accounts.hasPassword(ctx.em, user.id);
  }
}
