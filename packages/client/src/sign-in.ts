import { TollgateError } from './errors.js';
import type { SignedInUserFragment, TollgateSignInMutation } from './operations/graphql.js';

export type SignedInUser = SignedInUserFragment;

/**
 * What a sign-in step ended in. Today Tollgate answers login with the tokens at once; when it answers
 * some logins with an MFA challenge instead, a `status: 'mfa-required'` member joins this union. Switch
 * on `status` now and that change is one more case, not a rewrite.
 */
export type SignInResult = { status: 'signed-in'; user: SignedInUser };

/** What a sign-up ended in: signed in (SIGNUP_MODE=open), or waiting for the mailed link (verify-first). */
export type SignUpResult = SignInResult | { status: 'verification-pending'; email: string };

/** The parts of a sign-in answer the client keeps: the access token in memory, the device token in storage. */
export interface SignInPayload {
  accessToken: string;
  deviceToken?: string | null;
  user: { email: string; username?: string | null };
}

/**
 * Reads login's answer by its `__typename`. The operation asks for `... on AuthPayload`, so the same text
 * stays valid when login answers a union; a step this version does not know is refused with a code
 * rather than taken for a sign-in.
 */
export function readSignIn(answer: TollgateSignInMutation['login'] | { __typename: string }): {
  status: 'signed-in';
  payload: SignInPayload & { user: SignedInUser };
} {
  if (answer.__typename === 'AuthPayload' && 'accessToken' in answer) return { status: 'signed-in', payload: answer };
  throw new TollgateError(
    { code: 'UNSUPPORTED_SIGN_IN_STEP' },
    `this version of @tollgate/client cannot complete a sign-in answered with ${answer.__typename}`,
  );
}
