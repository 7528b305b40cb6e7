import { createHash } from 'node:crypto';
import { randomText } from '../../random.js';

/** What an emailed token may do; a token made for one purpose is unknown to every other. */
export enum EmailTokenPurpose {
  VERIFY_EMAIL = 'VERIFY_EMAIL',
  RESET_PASSWORD = 'RESET_PASSWORD',
  CHANGE_EMAIL = 'CHANGE_EMAIL',
}

export const emailTokenLifetimeSeconds: Readonly<Record<EmailTokenPurpose, number>> = {
  [EmailTokenPurpose.VERIFY_EMAIL]: 24 * 3600,
  [EmailTokenPurpose.RESET_PASSWORD]: 30 * 60,
  [EmailTokenPurpose.CHANGE_EMAIL]: 24 * 3600,
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
  /** The address the token was sent for; the account must still have it. */
  email: string;
  newEmail: string | null;
  expiresAt: Date;
}

/** A consumed token is good only before its expiry and while the account still has the address it was sent for. */
export function emailTokenUsable(token: StoredEmailToken | null, now: Date, currentEmail: string | null): boolean {
  return token !== null && token.expiresAt > now && currentEmail === token.email;
}
