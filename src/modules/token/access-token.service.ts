import { randomUUID, sign } from 'node:crypto';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { LRUCache } from 'lru-cache';
import { seconds, type Clock } from '../../clock.js';
import type { Tier } from '../user/tier.js';
import { parseAccessClaims, type AccessClaims } from './access-token.claims.js';
import { ACCESS_TOKEN_ALG, type KeyRing } from './key-ring.js';

export const ACCESS_TOKEN_TYP = 'at+jwt';
const CACHE_LIMIT = 10_000;

export interface AccessTokenService {
  issue(subject: { userId: string; sessionId: string; tier: Tier }): Promise<{ token: string; expiresAt: Date }>;
  /** The token's claims, or null when it is not an access token this service would accept now. */
  verify(token: string): Promise<AccessClaims | null>;
}

export function createAccessTokenService(options: {
  keys: KeyRing;
  issuer: string;
  audience: string;
  ttlSeconds: number;
  clock: Clock;
}): AccessTokenService {
  const { keys, issuer, audience, ttlSeconds, clock } = options;
  const jwks = createLocalJWKSet(keys.publicJwks);
  // A signature check costs more than the rest of a request; a token already verified is trusted until it
  // expires. Revocation is decided per request against the session, so caching the signature is safe.
  const verified = new LRUCache<string, AccessClaims>({ max: CACHE_LIMIT });
  const header = base64url({ alg: ACCESS_TOKEN_ALG, typ: ACCESS_TOKEN_TYP, kid: keys.signing.kid });

  return {
    // The compact JWS that jose's SignJWT makes, byte for byte (Ed25519 signatures are deterministic; a
    // test compares them), signed by node:crypto in the calling thread: jose signs through WebCrypto,
    // whose hand-off to the thread pool cost more CPU than the rest of a refresh's token work and queued
    // behind argon2 on that pool during sign-ins.
    async issue({ userId, sessionId, tier }) {
      const iat = seconds(clock());
      const exp = iat + ttlSeconds;
      const claims = { sid: sessionId, tier, iss: issuer, aud: audience, sub: userId, jti: randomUUID(), iat, exp };
      const input = `${header}.${base64url(claims)}`;
      const signature = sign(null, Buffer.from(input), keys.signing.key).toString('base64url');
      return { token: `${input}.${signature}`, expiresAt: new Date(exp * 1000) };
    },

    async verify(token) {
      const now = clock();
      const cached = verified.get(token);
      if (cached) {
        if (cached.exp > seconds(now)) return cached;
        verified.delete(token);
        return null;
      }
      try {
        const { payload } = await jwtVerify(token, jwks, {
          algorithms: [ACCESS_TOKEN_ALG],
          issuer,
          audience,
          typ: ACCESS_TOKEN_TYP,
          currentDate: now,
          requiredClaims: ['sub', 'sid', 'tier', 'jti', 'iat', 'exp'],
        });
        const claims = parseAccessClaims(payload);
        if (claims && claims.iat <= seconds(now) + 60) {
          verified.set(token, claims);
          return claims;
        }
        return null;
      } catch {
        return null;
      }
    },
  };
}

const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
