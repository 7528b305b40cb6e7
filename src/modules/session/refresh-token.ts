import { createHash, randomBytes } from 'node:crypto';

/** 32 random bytes, handed to the client once. */
export const newRefreshToken = () => randomBytes(32).toString('base64url');

/** Only this digest is stored: a leaked table yields no usable token. */
export const hashRefreshToken = (token: string) => createHash('sha256').update(token).digest('hex');
