import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { importJWK, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { bearerToken, parseAccessClaims } from '../../src/modules/token/access-token.claims.js';
import { createAccessTokenService } from '../../src/modules/token/access-token.service.js';
import { generateSigningJwk, loadKeyRing } from '../../src/modules/token/key-ring.js';
import { pickRequestId } from '../../src/http/request-id.js';
import { manualClock } from '../helpers/clock.js';

const valid = () => ({ sub: randomUUID(), sid: randomUUID(), tier: 'FREE', jti: randomUUID(), iat: 1000, exp: 1900 });

describe('parseAccessClaims', () => {
  it('accepts a complete payload', () => {
    const payload = valid();
    expect(parseAccessClaims(payload)).toEqual(payload);
  });

  it('refuses a payload when any relied-on claim is missing or malformed', () => {
    const bad = fc.record({
      key: fc.constantFrom('sub', 'sid', 'tier', 'jti', 'iat', 'exp'),
      // None of these can pass for a UUID, a tier, a 16+ character jti or an integer time.
      value: fc.oneof(
        fc.constant(undefined),
        fc.constant(null),
        fc.string({ maxLength: 8 }).filter((s) => !['FREE', 'PREMIUM', 'ADMIN'].includes(s)),
        fc.double().filter((d) => !Number.isInteger(d)),
        fc.object(),
      ),
    });
    fc.assert(
      fc.property(bad, ({ key, value }) => {
        expect(parseAccessClaims({ ...valid(), [key]: value })).toBeNull();
      }),
    );
  });

  it('refuses a token that expires before it is issued', () => {
    expect(parseAccessClaims({ ...valid(), iat: 2000, exp: 1000 })).toBeNull();
  });
});

describe('bearerToken', () => {
  it('takes only the Bearer scheme with a token68 value', () => {
    expect(bearerToken('Bearer abc.def-ghi_jkl')).toBe('abc.def-ghi_jkl');
    expect(bearerToken('bearer abc')).toBe('abc');
    for (const h of [undefined, '', 'Basic abc', 'Bearer', 'Bearer a b', 'Bearer a,b', 'Token abc'])
      expect(bearerToken(h)).toBeNull();
  });
});

describe('pickRequestId', () => {
  it('keeps sane ids and replaces anything else with a UUID', () => {
    expect(pickRequestId('abc-123_DEF.456')).toBe('abc-123_DEF.456');
    fc.assert(
      fc.property(fc.string(), (s) => {
        const id = pickRequestId(s);
        expect(id).toMatch(/^[A-Za-z0-9._:-]{8,128}$/);
      }),
    );
  });
});

describe('access token service', () => {
  it('accepts its own token until exactly its expiry, then refuses it', async () => {
    const clock = manualClock(new Date('2026-01-01T00:00:00Z'));
    const service = createAccessTokenService({
      keys: await loadKeyRing([await generateSigningJwk()]),
      issuer: 'iss',
      audience: 'aud',
      ttlSeconds: 300,
      clock,
    });
    const { token, expiresAt } = await service.issue({ userId: randomUUID(), sessionId: randomUUID(), tier: 'PREMIUM' as never });
    expect(expiresAt.toISOString()).toBe('2026-01-01T00:05:00.000Z');
    expect((await service.verify(token))?.tier).toBe('PREMIUM');
    clock.advance(299_000);
    expect(await service.verify(token)).not.toBeNull();
    clock.advance(1_000);
    expect(await service.verify(token)).toBeNull();
  });

  it('signs exactly the compact JWS jose would make for the same header and claims', async () => {
    const jwk = await generateSigningJwk();
    const service = createAccessTokenService({
      keys: await loadKeyRing([jwk]),
      issuer: 'iss',
      audience: 'aud',
      ttlSeconds: 300,
      clock: manualClock(),
    });
    const { token } = await service.issue({ userId: randomUUID(), sessionId: randomUUID(), tier: 'FREE' as never });
    const [header, payload] = token
      .split('.')
      .slice(0, 2)
      .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
    expect(header).toEqual({ alg: 'EdDSA', typ: 'at+jwt', kid: jwk.kid });
    const byJose = await new SignJWT(payload).setProtectedHeader(header).sign(await importJWK({ ...jwk }, 'EdDSA'));
    expect(token).toBe(byJose);
  });

  it('refuses a token issued by a service with another key, issuer or audience', async () => {
    const clock = manualClock();
    const keys = await loadKeyRing([await generateSigningJwk()]);
    const make = async (overrides: Partial<{ issuer: string; audience: string }>, k = keys) =>
      createAccessTokenService({ keys: k, issuer: 'iss', audience: 'aud', ttlSeconds: 300, clock, ...overrides });
    const verifier = await make({});
    const subject = { userId: randomUUID(), sessionId: randomUUID(), tier: 'FREE' as never };
    for (const other of [
      await make({ issuer: 'other' }),
      await make({ audience: 'other' }),
      await make({}, await loadKeyRing(null)),
    ]) {
      expect(await verifier.verify((await other.issue(subject)).token)).toBeNull();
    }
  });
});
