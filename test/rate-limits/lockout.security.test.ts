import { describe, expect, it } from 'vitest';
import { LoginDocument } from '../../src/client/generated/graphql.js';
import { codeOf } from '../helpers/graphql.js';
import { createTestApp, signUp, type TestApp } from '../helpers/test-app.js';

/** Many clients, played through a trusted proxy that names each one's address. */
const from = (app: TestApp) => (ip: string, identifier: string, password: string, deviceToken?: string | null) =>
  app.execute(LoginDocument, { input: { identifier, password, deviceToken } }, { headers: { 'x-forwarded-for': ip } });

describe('an attack on one account from many addresses', () => {
  it('does not lock out the owner’s known device, and refuses unknown devices until the hour is over', async () => {
    const app = await createTestApp({ TRUST_PROXY: 'loopback' });
    const login = from(app);
    const owner = await signUp(app);
    const known = owner.deviceToken!;
    expect(known).toMatch(/^dt2\./);

    // 11 addresses × 5 wrong passwords: more than the 50 the account allows unknown devices per hour.
    const codes: unknown[] = [];
    for (let a = 1; a <= 11; a++)
      for (let i = 0; i < 5; i++) codes.push(codeOf(await login(`198.51.100.${a}`, owner.account.email, `guess ${a}-${i}`)));
    expect(codes.filter((c) => c === 'INVALID_CREDENTIALS')).toHaveLength(50);
    expect(codes.slice(50)).toEqual(Array(5).fill('RATE_LIMITED'));

    // An unknown device with the right password, from a fresh address: slowed (refused for the rest of the hour).
    const unknown = await login('203.0.113.9', owner.account.email, owner.account.password);
    expect(codeOf(unknown)).toBe('RATE_LIMITED');
    expect(unknown.status).toBe(429);
    expect(Number(unknown.headers.get('retry-after'))).toBeGreaterThan(15 * 60);
    expect(Number(unknown.headers.get('retry-after'))).toBeLessThanOrEqual(3600);
    // A forged token, or one issued for another account, proves nothing.
    const other = await signUp(app);
    for (const fake of [`${known.slice(0, -2)}xx`, other.deviceToken!, 'dt2.abc.def', 'x'.repeat(5000)])
      expect(codeOf(await login('203.0.113.9', owner.account.email, owner.account.password, fake))).toBe('RATE_LIMITED');

    // The owner's device gets in, from a new address and from one the attack used, with email or username.
    const fromNew = await login('203.0.113.10', owner.account.email, owner.account.password, known);
    expect(fromNew.errors).toBeUndefined();
    expect(fromNew.data!.login.deviceToken).toBe(known);
    const fromAttacker = await login('198.51.100.1', owner.account.username!, owner.account.password, known);
    expect(fromAttacker.errors).toBeUndefined();
  });

  it('limits a known device by its own budget alone', async () => {
    const app = await createTestApp({ TRUST_PROXY: 'loopback' });
    const login = from(app);
    const owner = await signUp(app);
    // Someone else spends the address's per-account budget; the device is unaffected.
    for (let i = 0; i < 5; i++) await login('198.51.100.1', owner.account.email, 'wrong guess 1');
    for (let i = 0; i < 10; i++)
      expect(codeOf(await login('198.51.100.1', owner.account.email, 'wrong guess 1', owner.deviceToken))).toBe(
        'INVALID_CREDENTIALS',
      );
    const spent = await login('198.51.100.2', owner.account.email, owner.account.password, owner.deviceToken);
    expect(codeOf(spent)).toBe('RATE_LIMITED');
    expect(spent.errors![0]!.extensions!.limit).toBe(10);
  });
});

describe('IPv6 address rotation', () => {
  it('buys little inside one /48: failures count per /64, and per /56 and /48 at 10 and 100 times that', async () => {
    // One failure per /64, so the /56 allows 10 and the /48 100; the account-wide budget is out of the way.
    const app = await createTestApp({
      TRUST_PROXY: 'loopback',
      LOGIN_FAILURE_LIMITS: JSON.stringify({
        identifierIp: { points: 1, windowSeconds: 900 },
        identifier: { points: 10_000, windowSeconds: 3600 },
      }),
    });
    const login = from(app);
    const { account } = await signUp(app);
    // Ten /64s of one /56: the eleventh /64 of that /56 is refused, as the /56's budget is spent.
    for (let i = 0; i < 10; i++) {
      expect(codeOf(await login(`2001:db8:7:${i + 1}::1`, account.email, 'wrong guess 1'))).toBe('INVALID_CREDENTIALS');
    }
    expect(codeOf(await login('2001:db8:7:ab::9', account.email, 'wrong guess 1'))).toBe('RATE_LIMITED');
    // Another /56 of the /48 still has its own share, as has another /48.
    expect(codeOf(await login('2001:db8:7:100::1', account.email, 'wrong guess 1'))).toBe('INVALID_CREDENTIALS');
    expect(codeOf(await login('2001:db8:8::1', account.email, 'wrong guess 1'))).toBe('INVALID_CREDENTIALS');
  });

  it('trips the per-address budget across accounts for a /56 at ten times a /64’s', async () => {
    const app = await createTestApp({
      TRUST_PROXY: 'loopback',
      LOGIN_FAILURE_LIMITS: JSON.stringify({ ip: { points: 1, windowSeconds: 86400 } }),
    });
    const login = from(app);
    for (let i = 0; i < 10; i++)
      expect(codeOf(await login(`2001:db8:9:${i + 1}::1`, `victim${i}@example.com`, 'Password-guess-1'))).toBe(
        'INVALID_CREDENTIALS',
      );
    expect(codeOf(await login('2001:db8:9:77::1', 'another@example.com', 'Password-guess-1'))).toBe('RATE_LIMITED');
  });
});
