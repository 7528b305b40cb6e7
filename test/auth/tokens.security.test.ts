import { createRemoteJWKSet, decodeJwt, importJWK, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { createHmac } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { MeDocument, RegisterDocument } from '../../src/client/generated/graphql.js';
import { generateSigningJwk } from '../../src/modules/token/key-ring.js';
import type { SigningJwk } from '../../src/config-env.js';
import { codeOf } from '../helpers/graphql.js';
import { createTestApp, newAccount, type TestApp, signedIn } from '../helpers/test-app.js';

let app: TestApp;
let current: SigningJwk;
let retired: SigningJwk;
let token: string;
let claims: JWTPayload;

beforeAll(async () => {
  current = await generateSigningJwk();
  retired = await generateSigningJwk();
  // Two keys configured: the first signs, both verify.
  app = await createTestApp({ JWT_SIGNING_KEYS: JSON.stringify([current, retired]) });
  const { data } = await app.execute(RegisterDocument, { input: newAccount() });
  token = signedIn(data!.register).accessToken;
  claims = decodeJwt(token);
});

const me = (bearer: string) => app.execute(MeDocument, {}, { token: bearer });

async function sign(jwk: SigningJwk, payload: JWTPayload, header: Record<string, unknown> = {}) {
  const key = await importJWK({ ...jwk }, 'EdDSA');
  return new SignJWT(payload).setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid: jwk.kid, ...header }).sign(key);
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('access tokens that must be refused with UNAUTHENTICATED', () => {
  it('accepts the genuine token (control)', async () => {
    expect((await me(token)).data?.me.id).toBe(claims.sub);
  });

  it('a token whose payload was altered', async () => {
    const [h, , s] = token.split('.');
    const res = await me(`${h}.${b64({ ...claims, tier: 'ADMIN' })}.${s}`);
    expect(codeOf(res)).toBe('UNAUTHENTICATED');
  });

  it('a token whose signature was altered', async () => {
    // Change one character in the middle of the signature (the last one carries padding bits).
    const at = token.lastIndexOf('.') + 20;
    const flipped = token.slice(0, at) + (token[at] === 'A' ? 'B' : 'A') + token.slice(at + 1);
    expect(flipped).not.toBe(token);
    expect(codeOf(await me(flipped))).toBe('UNAUTHENTICATED');
  });

  it('an expired token', async () => {
    app.clock.advance(15 * 60 * 1000 + 1000);
    try {
      expect(codeOf(await me(token))).toBe('UNAUTHENTICATED');
    } finally {
      app.clock.advance(-(15 * 60 * 1000 + 1000));
    }
    expect((await me(token)).data?.me.id).toBe(claims.sub);
  });

  it('a token for another audience', async () => {
    expect(codeOf(await me(await sign(current, { ...claims, aud: 'urn:someone-else' })))).toBe('UNAUTHENTICATED');
  });

  it('a token from another issuer', async () => {
    expect(codeOf(await me(await sign(current, { ...claims, iss: 'https://evil.example' })))).toBe('UNAUTHENTICATED');
  });

  it('a token of another type', async () => {
    expect(codeOf(await me(await sign(current, claims, { typ: 'JWT' })))).toBe('UNAUTHENTICATED');
  });

  it('an unsigned token (alg: none)', async () => {
    const unsigned = `${b64({ alg: 'none', typ: 'at+jwt', kid: current.kid })}.${b64(claims)}.`;
    expect(codeOf(await me(unsigned))).toBe('UNAUTHENTICATED');
  });

  it('an HS256 token keyed with the public key (algorithm confusion)', async () => {
    const head = `${b64({ alg: 'HS256', typ: 'at+jwt', kid: current.kid })}.${b64(claims)}`;
    for (const secret of [current.x, Buffer.from(current.x, 'base64url')]) {
      const sig = createHmac('sha256', secret).update(head).digest('base64url');
      expect(codeOf(await me(`${head}.${sig}`))).toBe('UNAUTHENTICATED');
    }
  });

  it('a token signed by a key that is not configured', async () => {
    const stranger = await generateSigningJwk();
    expect(codeOf(await me(await sign(stranger, claims)))).toBe('UNAUTHENTICATED');
    expect(codeOf(await me(await sign({ ...stranger, kid: current.kid }, claims)))).toBe('UNAUTHENTICATED');
  });

  it('a token missing a claim Tollgate relies on', async () => {
    const { sid: _sid, ...withoutSid } = claims;
    expect(codeOf(await me(await sign(current, withoutSid)))).toBe('UNAUTHENTICATED');
    expect(codeOf(await me(await sign(current, { ...claims, tier: 'ROOT' })))).toBe('UNAUTHENTICATED');
  });

  it('a well-signed token whose session does not exist', async () => {
    const forged = await sign(current, { ...claims, sid: '00000000-0000-4000-8000-000000000000' });
    expect(codeOf(await me(forged))).toBe('UNAUTHENTICATED');
  });

  it('a refresh token presented as a bearer token, and garbage', async () => {
    const { data } = await app.execute(RegisterDocument, { input: newAccount() });
    expect(codeOf(await me(signedIn(data!.register).refreshToken!))).toBe('UNAUTHENTICATED');
    expect(codeOf(await me('not-a-token'))).toBe('UNAUTHENTICATED');
    const res = await app.execute(MeDocument, {}, { headers: { authorization: `Basic ${token}` } });
    expect(codeOf(res)).toBe('UNAUTHENTICATED');
  });

  it('gives every refusal the same message', async () => {
    const messages = new Set(
      (await Promise.all([me('not-a-token'), me(await sign(current, { ...claims, aud: 'x' }))])).map(
        (r) => r.errors![0]!.message,
      ),
    );
    expect(messages.size).toBe(1);
  });
});

describe('key rotation and the JWKS endpoint', () => {
  it('still accepts a token signed by the retired key that is still configured', async () => {
    expect((await me(await sign(retired, claims))).data?.me.id).toBe(claims.sub);
  });

  it('publishes every configured public key, and no private part', async () => {
    const res = await fetch(`${app.url}/.well-known/jwks.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    const body = (await res.json()) as { keys: Record<string, string>[] };
    expect(body.keys.map((k) => k.kid)).toEqual([current.kid, retired.kid]);
    for (const key of body.keys) {
      expect(key).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
      expect(key).not.toHaveProperty('d');
    }
  });

  it('lets an off-the-shelf JWKS client verify a real token', async () => {
    const jwks = createRemoteJWKSet(new URL(`${app.url}/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(token, jwks, {
      issuer: 'urn:tollgate',
      audience: 'urn:tollgate:api',
      algorithms: ['EdDSA'],
      typ: 'at+jwt',
      currentDate: app.clock(),
    });
    expect(protectedHeader.kid).toBe(current.kid);
    expect(payload.sub).toBe(claims.sub);
  });
});
