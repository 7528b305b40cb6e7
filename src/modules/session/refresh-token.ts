import { createHash, createHmac } from 'node:crypto';
import { randomText } from '../../random.js';

/** 32 random bytes, handed to the client once. */
export const newRefreshToken = () => randomText(32, 'base64url');

/** Only this digest is stored: a leaked table yields no usable token. */
export const hashRefreshToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** A per-session key for successorOf; stored with the session, never sent anywhere. */
export const newRotationSecret = () => randomText(32, 'hex');

/**
 * The token that replaces `token` at rotation. Derived rather than random so that every duplicate
 * refresh within the grace window computes the same successor: the chain never forks, and no
 * plaintext token has to be stored. Without the session's secret a thief holding `token` cannot
 * compute it.
 */
export const successorOf = (secret: string, token: string) =>
  createHmac('sha256', Buffer.from(secret, 'hex')).update(token).digest('base64url');
