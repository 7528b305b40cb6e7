import type { PasswordVerdict } from '../auth/password.hasher.js';

/** How recent a sign-in must be for an account without a password to act as its owner. */
export const RECENT_SIGN_IN_SECONDS = 10 * 60;

export type OwnerProof = 'ok' | 'password_required' | 'wrong_password' | 'reauthenticate';

/**
 * Whether the caller may do something only the account's owner should (set a password, change the
 * email, delete the account). With a password: the current one. Without one (Google or GitHub only):
 * a session opened by a sign-in in the last ten minutes, so a stolen older session cannot do it.
 */
export function ownerProof(input: {
  hasPassword: boolean;
  currentPassword: string | null | undefined;
  verdict: PasswordVerdict | null;
  sessionOpenedAt: Date;
  now: Date;
}): OwnerProof {
  if (input.hasPassword) {
    if (input.currentPassword == null || input.currentPassword === '') return 'password_required';
    return input.verdict === 'match' || input.verdict === 'stale' ? 'ok' : 'wrong_password';
  }
  const age = (input.now.getTime() - input.sessionOpenedAt.getTime()) / 1000;
  return age >= 0 && age <= RECENT_SIGN_IN_SECONDS ? 'ok' : 'reauthenticate';
}
