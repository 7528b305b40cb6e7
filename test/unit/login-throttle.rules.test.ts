import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createDeviceTokens, createIdentifierHasher } from '../../src/modules/auth/device-token.js';
import { budgetsFor, createLoginThrottle } from '../../src/modules/auth/login-throttle.js';
import { addressKeys } from '../../src/modules/request/client-info.js';
import { createLimiterFactory } from '../../src/modules/rate-limit/limiter-factory.js';
import { defaultRateLimits, limitFor } from '../../src/modules/rate-limit/rate-limit.table.js';
import { Tier } from '../../src/modules/user/tier.js';

const hextet = fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16));
const ipv6 = (head: string[], tail: string[]) => [...head, ...tail].join(':');

describe('address keys for failure budgets', () => {
  it('put every address of one IPv6 /48 under one /48 key, and of one /56 under one /56 key', () => {
    const byte = fc.integer({ min: 0, max: 0xff });
    const tail = fc.array(hextet, { minLength: 4, maxLength: 4 });
    fc.assert(
      fc.property(fc.tuple(hextet, hextet, hextet), byte, byte, byte, tail, tail, (p, high, lowA, lowB, a, b) => {
        const first = addressKeys(ipv6(p, [((high << 8) | lowA).toString(16), ...a]));
        const second = addressKeys(ipv6(p, [((high << 8) | lowB).toString(16), ...b]));
        expect(first.slice(1)).toEqual(second.slice(1));
      }),
    );
    expect(addressKeys('2001:db8:1::1')[2]).not.toBe(addressKeys('2001:db8:2::1')[2]);
    expect(addressKeys('2001:db8:1:100::1')[1]).not.toBe(addressKeys('2001:db8:1:200::1')[1]);
    expect(addressKeys('2001:db8:1:100::1')[2]).toBe(addressKeys('2001:db8:1:200::1')[2]);
  });

  it('give IPv4 one key, IPv4-mapped IPv6 the same one', () => {
    fc.assert(
      fc.property(fc.ipV4(), (ip) => {
        expect(addressKeys(ip)).toHaveLength(1);
        expect(addressKeys(`::ffff:${ip}`)).toEqual(addressKeys(ip));
      }),
    );
  });
});

describe('which budgets a login attempt spends', () => {
  const addresses = ['ip6:2001:db8:1:2::/64', 'ip6:2001:db8:1::/56', 'ip6:2001:db8:1::/48'];

  it('is only its own device budget when it carries a valid device token', () => {
    expect(budgetsFor({ account: 'user:1', addresses, device: 'd' })).toEqual([['device', 'user:1|d']]);
  });

  it('is every per-address, per-account-and-address and per-account budget otherwise', () => {
    const budgets = budgetsFor({ account: 'user:1', addresses, device: null });
    expect(budgets.map(([name]) => name)).toEqual([
      'identifierIp',
      'identifierIp',
      'identifierIp',
      'ip',
      'ip',
      'ip',
      'identifier',
    ]);
    expect(budgets[0]).toEqual(['identifierIp', `user:1|${addresses[0]}`]);
    expect(budgets.at(-1)).toEqual(['identifier', 'user:1']);
  });
});

describe('the login throttle', () => {
  it('admits exactly the budget of N concurrent attempts and gives the other budgets back for the refused', async () => {
    const throttle = createLoginThrottle(createLimiterFactory(null), () => new Date(), {
      identifierIp: { points: 3, windowSeconds: 60 },
      identifier: { points: 100, windowSeconds: 60 },
    });
    const attempt = { account: 'user:1', addresses: ['ip:10.0.0.1'], device: null };
    const results = await Promise.all(Array.from({ length: 20 }, () => throttle.admit(attempt)));
    expect(results.filter((r) => r.admitted)).toHaveLength(3);
    const refusals = results.flatMap((r) => (r.admitted ? [] : [r.refusal]));
    expect(refusals.filter((r) => r.first)).toHaveLength(1);
    expect(refusals.every((r) => r.budget === 'identifierIp' && r.limit === 3)).toBe(true);
    // The account-wide budget was spent by the 3 admitted attempts only: another address gets 97 more.
    const elsewhere = { ...attempt, addresses: ['ip:10.0.0.2'] };
    const other = await Promise.all(Array.from({ length: 3 }, () => throttle.admit(elsewhere)));
    expect(other.every((r) => r.admitted)).toBe(true);
  });
});

describe('device tokens', () => {
  const tokens = createDeviceTokens(randomBytes(32));

  it('prove a device for the account and generation they were issued for, and nothing for another', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.uuid(), fc.nat({ max: 1000 }), fc.nat({ max: 1000 }), (a, b, g, h) => {
        const token = tokens.issue(a, g);
        expect(tokens.verify(token, a, g)).toMatch(/^[A-Za-z0-9_-]{22}$/);
        if (a !== b) expect(tokens.verify(token, b, g)).toBeNull();
        // A token from before a reset (or any bump) proves nothing after it.
        if (g !== h) expect(tokens.verify(token, a, h)).toBeNull();
      }),
      { numRuns: 50 },
    );
  });

  it('refuse any altered, truncated or foreign-key token', () => {
    const token = tokens.issue('u', 0);
    const other = createDeviceTokens(randomBytes(32)).issue('u', 0);
    fc.assert(
      fc.property(fc.nat({ max: token.length - 1 }), fc.string({ minLength: 1, maxLength: 1 }), (i, c) => {
        const altered = token.slice(0, i) + c + token.slice(i + 1);
        if (altered !== token) expect(tokens.verify(altered, 'u', 0)).toBeNull();
      }),
    );
    for (const bad of [other, token.slice(0, -1), `${token}.x`, '', null, undefined, 'x'.repeat(10_000)])
      expect(tokens.verify(bad, 'u', 0)).toBeNull();
  });

  it('hash identifiers stably under one key and differently under another', () => {
    const key = randomBytes(32);
    expect(createIdentifierHasher(key)('a@example.com')).toBe(createIdentifierHasher(key)('a@example.com'));
    expect(createIdentifierHasher(key)('a@example.com')).not.toBe(createIdentifierHasher(randomBytes(32))('a@example.com'));
    expect(createIdentifierHasher(key)('a@example.com')).not.toContain('example');
  });
});

describe('fields counted by address', () => {
  it('have one budget for every tier', () => {
    for (const [field, limit] of Object.entries(defaultRateLimits).filter(([, l]) => l.byAddress)) {
      for (const tier of [Tier.PREMIUM, Tier.ADMIN])
        expect(limitFor(defaultRateLimits, field, tier)).toEqual(limitFor(defaultRateLimits, field, Tier.FREE));
      expect(limit.FREE).toBeGreaterThan(0);
    }
  });
});
