import { createHmac, timingSafeEqual } from 'node:crypto';
import { randomText } from '../../random.js';

/**
 * Proof that a client has signed into an account before (OWASP's "device cookie"): a random device id
 * and an HMAC that binds it to the account and its credential generation. Nothing is stored; a token is
 * checked by recomputing the HMAC for the account the login names at its current generation, so a token
 * for one account proves nothing for another, and every token issued before a reset (or any other event
 * that bumps the generation) proves nothing after it: an intruder's tokens buy no private budget against
 * the new password.
 */
export interface DeviceTokens {
  issue(userId: string, generation: number): string;
  /** The device id when the token was issued for this account at this generation, else null. */
  verify(token: string | null | undefined, userId: string, generation: number): string | null;
}

const PREFIX = 'dt2';
const ID_BYTES = 16;
const MAX_LENGTH = 128;

export function createDeviceTokens(key: Uint8Array): DeviceTokens {
  const mac = (userId: string, generation: number, deviceId: string) =>
    createHmac('sha256', key).update(`device-token\0${userId}\0${generation}\0${deviceId}`).digest();
  return {
    issue(userId, generation) {
      const deviceId = randomText(ID_BYTES, 'base64url');
      return `${PREFIX}.${deviceId}.${mac(userId, generation, deviceId).toString('base64url')}`;
    },
    verify(token, userId, generation) {
      if (!token || token.length > MAX_LENGTH) return null;
      const [prefix, deviceId, signature, ...rest] = token.split('.');
      if (prefix !== PREFIX || !deviceId || !signature || rest.length > 0) return null;
      // Compared as text: base64url decoding ignores trailing bits, so two spellings could decode alike.
      const given = Buffer.from(signature);
      const expected = Buffer.from(mac(userId, generation, deviceId).toString('base64url'));
      return given.length === expected.length && timingSafeEqual(given, expected) ? deviceId : null;
    },
  };
}

/**
 * A keyed hash of a canonical identifier for logs: the same identifier gives the same hash across
 * requests and instances sharing the key, and without the key it cannot be reversed by guessing emails.
 */
export function createIdentifierHasher(key: Uint8Array): (canonical: string) => string {
  return (canonical) => createHmac('sha256', key).update(`identifier\0${canonical}`).digest('base64url').slice(0, 22);
}
