import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createDeviceTokens, createIdentifierHasher } from '../../src/modules/auth/device-token.js';
import {
  addressScale,
  budgetsFor,
  createLoginThrottle,
  defaultLoginFailureLimits,
} from '../../src/modules/auth/login-throttle.js';
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
    expect(budgetsFor({ account: 'user:1', spelling: 'name:a@b.c', addresses, device: 'd' })).toEqual([
      { budget: 'device', key: 'user:1|d', scale: 1 },
    ]);
  });

  it('is every per-address, per-spelling-and-address and per-account budget otherwise', () => {
    const budgets = budgetsFor({ account: 'user:1', spelling: 'name:a@b.c', addresses, device: null });
    expect(budgets.map(({ budget }) => budget)).toEqual([
      'identifierIp',
      'identifierIp',
      'identifierIp',
      'ip',
      'ip',
      'ip',
      'identifier',
    ]);
    expect(budgets[0]).toEqual({ budget: 'identifierIp', key: `name:a@b.c|${addresses[0]}`, scale: 1 });
    expect(budgets.map(({ scale }) => scale)).toEqual([1, 10, 100, 1, 10, 100, 1]);
    expect(budgets.at(-1)).toEqual({ budget: 'identifier', key: 'user:1', scale: 1 });
  });

  it('counts an account’s email and username apart per address, and together per account', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.emailAddress(), fc.stringMatching(/^[a-z0-9_]{3,32}$/), (id, email, username) => {
        const byEmail = budgetsFor({ account: `user:${id}`, spelling: `name:${email}`, addresses, device: null });
        const byName = budgetsFor({ account: `user:${id}`, spelling: `name:${username}`, addresses, device: null });
        const perAddress = (bs: typeof byEmail) => bs.filter((b) => b.budget === 'identifierIp').map((b) => b.key);
        for (const key of perAddress(byEmail)) expect(perAddress(byName)).not.toContain(key);
        expect(byEmail.at(-1)).toEqual(byName.at(-1));
      }),
    );
  });
});

describe('IPv6 budgets in proportion to the prefix', () => {
  it('give a /56 ten and a /48 a hundred times the budget of a /64 or an IPv4 address', () => {
    expect(addressScale('ip:192.0.2.1')).toBe(1);
    expect(addressScale('ip6:2001:db8:1:2::/64')).toBe(1);
    expect(addressScale('ip6:2001:db8:1::/56')).toBe(10);
    expect(addressScale('ip6:2001:db8:1::/48')).toBe(100);
  });

  it('let one /64 spend at most a tenth of its /56 and a hundredth of its /48, so its neighbours keep the rest', () => {
    const hextets = fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 });
    fc.assert(
      fc.property(hextets, fc.constantFrom('identifierIp', 'ip') as fc.Arbitrary<'identifierIp' | 'ip'>, (h, budget) => {
        const address = h.map((n) => n.toString(16)).join(':');
        const keys = addressKeys(address);
        const [own, wider56, wider48] = keys.map((k) => defaultLoginFailureLimits[budget].points * addressScale(k));
        // The most one /64 can spend on a wider key is its own budget.
        expect(own! / wider56!).toBeLessThanOrEqual(0.1);
        expect(own! / wider48!).toBeLessThanOrEqual(0.01);
        // Ten /64s of one /56 fit in it; a hundred of one /48 fit in it.
        expect(10 * own!).toBeLessThanOrEqual(wider56!);
        expect(100 * own!).toBeLessThanOrEqual(wider48!);
      }),
    );
  });

  it('a /64 that used up its budget locks out neither another /64 of its /48 nor its /48', async () => {
    const throttle = createLoginThrottle(createLimiterFactory(null), () => new Date(), {
      identifierIp: { points: 1000, windowSeconds: 60 },
      identifier: { points: 100_000, windowSeconds: 60 },
      ip: { points: 5, windowSeconds: 60 },
    });
    const from = (address: string, n: number) => ({
      account: `user:${n}`,
      spelling: `name:${n}`,
      addresses: addressKeys(address),
      device: null,
    });
    const noisy = await Promise.all(Array.from({ length: 10 }, (_, n) => throttle.admit(from('2001:db8:1:1::1', n))));
    expect(noisy.filter((r) => r.admitted)).toHaveLength(5);
    const neighbour = await throttle.admit(from('2001:db8:1:2::1', 99));
    expect(neighbour.admitted).toBe(true);
  });
});

describe('the login throttle', () => {
  it('admits exactly the budget of N concurrent attempts and gives the other budgets back for the refused', async () => {
    const throttle = createLoginThrottle(createLimiterFactory(null), () => new Date(), {
      identifierIp: { points: 3, windowSeconds: 60 },
      identifier: { points: 100, windowSeconds: 60 },
    });
    const attempt = { account: 'user:1', spelling: 'name:someone', addresses: ['ip:10.0.0.1'], device: null };
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
