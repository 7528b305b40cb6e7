import { createPrivateKey, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { SigningJwk } from '../../config-env.js';

export const ACCESS_TOKEN_ALG = 'EdDSA';

/** The signing key plus every key that may still verify, as published at /.well-known/jwks.json. */
export interface KeyRing {
  /** A node:crypto key, imported once: access tokens are signed with node:crypto (see access-token.service). */
  signing: { kid: string; key: KeyObject };
  publicJwks: { keys: JWK[] };
  ephemeral: boolean;
}

export async function loadKeyRing(configured: readonly SigningJwk[] | null): Promise<KeyRing> {
  const jwks = configured ? [...configured] : [await generateSigningJwk()];
  const [first] = jwks;
  if (!first?.d) throw new Error('The first signing key must include its private part.');
  const { kty, crv, x, d } = first;
  const key = createPrivateKey({ key: { kty, crv, x, d }, format: 'jwk' });
  return {
    signing: { kid: first.kid, key },
    // Only the public members leave the process.
    publicJwks: {
      keys: jwks.map(({ kty, crv, x, kid }) => ({ kty, crv, x, kid, alg: ACCESS_TOKEN_ALG, use: 'sig' })),
    },
    ephemeral: configured === null,
  };
}

/** A fresh Ed25519 key as a private JWK whose kid is its RFC 7638 thumbprint. */
export async function generateSigningJwk(): Promise<SigningJwk> {
  const { privateKey } = await generateKeyPair(ACCESS_TOKEN_ALG, { crv: 'Ed25519', extractable: true });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { kty: 'OKP', crv: 'Ed25519', x: jwk.x as string, d: jwk.d as string, kid };
}
