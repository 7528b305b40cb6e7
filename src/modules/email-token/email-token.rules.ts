import { createHash } from 'node:crypto';
import { randomText } from '../../random.js';

/** What an emailed token may do; a token made for one purpose is unknown to every other. */
export enum EmailTokenPurpose {
  VERIFY_EMAIL = 'VERIFY_EMAIL',
  RESET_PASSWORD = 'RESET_PASSWORD',
  CHANGE_EMAIL = 'CHANGE_EMAIL',
  /** Mailed to the old address when an email change is confirmed: puts the old address back. */
  REVERT_EMAIL_CHANGE = 'REVERT_EMAIL_CHANGE',
}

export const emailTokenLifetimeSeconds: Readonly<Record<EmailTokenPurpose, number>> = {
  [EmailTokenPurpose.VERIFY_EMAIL]: 24 * 3600,
  [EmailTokenPurpose.RESET_PASSWORD]: 30 * 60,
  [EmailTokenPurpose.CHANGE_EMAIL]: 24 * 3600,
  [EmailTokenPurpose.REVERT_EMAIL_CHANGE]: 7 * 24 * 3600,
};

/**
 * How many links of a purpose stay valid at once; a new one voids only the oldest beyond that. Reset links:
 * three, so that a stranger asking for resets cannot void the link the owner is about to use (all die once
 * one is used, by the generation bump); email-change links alike (all die once one is confirmed). Undo
 * links: one per email change of the last 7 days.
 */
export const emailTokensKept: Readonly<Record<EmailTokenPurpose, number>> = {
  [EmailTokenPurpose.VERIFY_EMAIL]: 1,
  [EmailTokenPurpose.RESET_PASSWORD]: 3,
  [EmailTokenPurpose.CHANGE_EMAIL]: 3,
  [EmailTokenPurpose.REVERT_EMAIL_CHANGE]: 10,
};

/** 256 random bits, URL-safe: it travels in a link. */
export const newEmailToken = () => randomText(32, 'base64url');

/**
 * Only this hash is stored. The purpose is part of it, so a token presented for another purpose is
 * not found at all (and is not spent by the attempt).
 */
export const hashEmailToken = (purpose: EmailTokenPurpose, token: string) =>
  createHash('sha256').update(`${purpose}:${token}`).digest('hex');

export interface StoredEmailToken {
  userId: string;
  purpose: EmailTokenPurpose;
  /** The address the token was sent for; the account must still have it. For an undo link: the address it restores. */
  email: string;
  newEmail: string | null;
  /** The account's credential generation when the token was issued. */
  generation: number;
  expiresAt: Date;
}

/**
 * A consumed token is good only before its expiry, while the account still has the address it was sent
 * for, and while the account's credential generation is the one it was issued under: a reset, a password
 * or email change, a sign-out everywhere or a detected token theft ends every link mailed before it.
 * The undo link of an email change is the exception: it must survive the bump its own change causes,
 * and the address it restores is by design not the current one.
 */
export function emailTokenUsable(
  token: StoredEmailToken | null,
  now: Date,
  account: { email: string; generation: number } | null,
): boolean {
  if (token === null || account === null || token.expiresAt <= now) return false;
  if (token.purpose === EmailTokenPurpose.REVERT_EMAIL_CHANGE) return true;
  return account.email === token.email && account.generation === token.generation;
}
