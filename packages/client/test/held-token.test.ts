import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { holdToken } from '../src/index.js';
import { accessToken } from './fakes.js';

describe('holdToken', () => {
  it('renews a minute before expiry, or a fifth of the lifetime for short tokens, counted from arrival', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 24 * 3600 }),
        fc.integer({ min: 0, max: 2_000_000_000 }),
        fc.integer({ min: 0, max: 4_000_000_000_000 }),
        (lifetime, issuedAt, receivedAt) => {
          const held = holdToken(accessToken('u', issuedAt, lifetime), receivedAt);
          const lifetimeMs = lifetime * 1000;
          // The server's iat says nothing about the local clock: only the lifetime and the arrival count.
          expect(held.renewAt).toBe(receivedAt + lifetimeMs - Math.min(60_000, lifetimeMs / 5));
          expect(held.renewAt).toBeGreaterThan(receivedAt);
          expect(held.renewAt).toBeLessThan(receivedAt + lifetimeMs);
          expect(held.userId).toBe('u');
        },
      ),
    );
  });

  it('refuses what is not an access token', () => {
    const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    for (const bad of [
      '',
      'abc',
      'a.b.c',
      `x.${part({ sub: 'u', iat: 10 })}.y`,
      `x.${part({ sub: 'u', iat: 10, exp: 10 })}.y`,
      `x.${part(null)}.y`,
    ])
      expect(() => holdToken(bad, 0), bad).toThrow(TypeError);
  });
});
