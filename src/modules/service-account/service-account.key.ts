import { createHash } from 'node:crypto';
import { randomText } from '../../random.js';

/** Keys carry a prefix so a bearer token can be told apart from a JWT without trying to verify it. */
export const SERVICE_KEY_PREFIX = 'tgsk_';

export const newServiceKey = () => `${SERVICE_KEY_PREFIX}${randomText(32, 'base64url')}`;

/** 256 random bits need no slow hash: SHA-256 is enough and keeps the per-request check cheap. */
export const hashServiceKey = (key: string) => createHash('sha256').update(key).digest('hex');

export const looksLikeServiceKey = (token: string) =>
  token.startsWith(SERVICE_KEY_PREFIX) && token.length === SERVICE_KEY_PREFIX.length + 43;
