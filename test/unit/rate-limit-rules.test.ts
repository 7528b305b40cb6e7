import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../../src/modules/admin/user-cursor.js';
import { normalizeIp } from '../../src/http/client-ip.js';
import { rateLimitKeyForIp } from '../../src/modules/request/client-info.js';
import {
  buildRateLimitTable,
  defaultRateLimits,
  limitFor,
  rateLimitDirectiveFor,
} from '../../src/modules/rate-limit/rate-limit.table.js';
import { decideRefresh } from '../../src/modules/session/session.rules.js';
import { Tier } from '../../src/modules/user/tier.js';

const tiers = [Tier.FREE, Tier.PREMIUM, Tier.ADMIN];

describe('the rate-limit table', () => {
  it('never gives a higher tier less than a lower one, by default', () => {
    for (const [field, limit] of Object.entries(defaultRateLimits)) {
      expect(limit.FREE, field).toBeLessThanOrEqual(limit.PREMIUM);
      expect(limit.PREMIUM, field).toBeLessThanOrEqual(limit.ADMIN);
    }
  });

  it('lays overrides over the defaults, field by field and tier by tier', () => {
    const fields = Object.keys(defaultRateLimits);
    const override = fc.dictionary(
      fc.constantFrom(...fields),
      fc.record(
        { FREE: fc.integer({ min: 1, max: 1e6 }), windowSeconds: fc.integer({ min: 1, max: 86400 }) },
        { requiredKeys: [] },
      ),
    );
    fc.assert(
      fc.property(override, (overrides) => {
        const table = buildRateLimitTable(overrides);
        for (const field of fields) {
          for (const tier of tiers) {
            // A field counted by address has the FREE budget for everyone.
            const counted = defaultRateLimits[field]!.byAddress ? Tier.FREE : tier;
            const expected = overrides[field]?.[counted as 'FREE'] ?? defaultRateLimits[field]![counted];
            expect(limitFor(table, field, tier).points).toBe(expected);
          }
          expect(table[field]!.windowSeconds).toBe(overrides[field]?.windowSeconds ?? defaultRateLimits[field]!.windowSeconds);
        }
      }),
    );
  });

  it('refuses an override for a field that has no limit', () => {
    expect(() => buildRateLimitTable({ 'Query.nope': { FREE: 1 } })).toThrow(/RATE_LIMITS.*Query\.nope/);
  });

  it('writes the directive from the table', () => {
    expect(rateLimitDirectiveFor('Query.me')).toBe('@rateLimit(limit: 60, duration: 60)');
  });
});

describe('client addresses', () => {
  it('puts every address of one IPv6 /64 under one key, and different /64s under different keys', () => {
    const hextet = fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16));
    const prefix = fc.tuple(hextet, hextet, hextet, hextet);
    const suffix = fc.tuple(hextet, hextet, hextet, hextet);
    fc.assert(
      fc.property(prefix, suffix, suffix, (p, a, b) => {
        expect(rateLimitKeyForIp([...p, ...a].join(':'))).toBe(rateLimitKeyForIp([...p, ...b].join(':')));
      }),
    );
    expect(rateLimitKeyForIp('2001:db8::1')).not.toBe(rateLimitKeyForIp('2001:db8:0:1::1'));
  });

  it('keys IPv4 per address and treats IPv4-mapped IPv6 as IPv4', () => {
    fc.assert(
      fc.property(fc.ipV4(), (ip) => {
        expect(rateLimitKeyForIp(ip)).toBe(`ip:${ip.split('.').map(Number).join('.')}`);
        expect(normalizeIp(`::ffff:${ip}`)).toBe(ip.split('.').map(Number).join('.'));
      }),
    );
  });
});

describe('decideRefresh', () => {
  const at = (ms: number) => new Date(1_700_000_000_000 + ms);
  const rotated = { rotatedAt: at(0), expiresAt: at(1e9) };
  const grace = fc.integer({ min: 1, max: 60 });

  it('treats a rotated token presented within the grace window as a duplicate', () => {
    fc.assert(
      fc.property(grace, fc.double({ min: 0, max: 1, noNaN: true }), (seconds, part) => {
        expect(decideRefresh(rotated, at(Math.floor(part * seconds * 1000)), seconds)).toBe('grace');
      }),
    );
  });

  it('treats a rotated token presented after the grace window, or with no window, as reuse', () => {
    fc.assert(
      fc.property(grace, fc.integer({ min: 1, max: 1e7 }), (seconds, late) => {
        expect(decideRefresh(rotated, at(seconds * 1000 + late), seconds)).toBe('reuse');
        expect(decideRefresh(rotated, at(late - 1), 0)).toBe('reuse');
      }),
    );
  });

  it('rotates a live token and refuses one at or past its expiry', () => {
    expect(decideRefresh({ rotatedAt: null, expiresAt: at(10) }, at(9), 10)).toBe('rotate');
    expect(decideRefresh({ rotatedAt: null, expiresAt: at(10) }, at(10), 10)).toBe('expired');
  });
});

describe('user cursors', () => {
  it('round-trip and reject anything else', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }), fc.uuid(), (createdAt, id) => {
        expect(decodeCursor(encodeCursor({ createdAt, id }))).toEqual({ createdAt, id });
      }),
    );
    // Whatever a client sends is answered, never thrown on.
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.base64String()), (s) => {
        expect(() => decodeCursor(s)).not.toThrow();
      }),
    );
    expect(decodeCursor('garbage')).toBeNull();
  });

  it('refuse dates Postgres cannot store, whatever JavaScript accepts', () => {
    const anyDate = fc.date({ min: new Date(-8.64e15), max: new Date(8.64e15), noInvalidDate: true });
    fc.assert(
      fc.property(anyDate, fc.uuid(), (createdAt, id) => {
        const year = createdAt.getUTCFullYear();
        const decoded = decodeCursor(encodeCursor({ createdAt, id }));
        expect(decoded).toEqual(year >= 1 && year <= 9999 ? { createdAt, id } : null);
      }),
    );
    const crafted = (at: string, id = '00000000-0000-4000-8000-000000000000') =>
      Buffer.from(JSON.stringify([at, id])).toString('base64url');
    for (const at of ['-271821-04-20T00:00:00.000Z', '0000-01-01T00:00:00.000Z', '2026-02-30T00:00:00.000Z', '2026-01-01']) {
      expect(decodeCursor(crafted(at)), at).toBeNull();
    }
    expect(decodeCursor(crafted('2026-01-01T00:00:00.000Z', "x' or 1=1"))).toBeNull();
  });
});
