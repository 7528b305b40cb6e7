import { describe, expect, it } from 'vitest';
import { LoginDocument, RateLimitStatusDocument, RegisterDocument } from '../../src/client/generated/graphql.js';
import { codeOf } from '../helpers/graphql.js';
import { createTestApp, newAccount, signUp } from '../helpers/test-app.js';

// rateLimitStatus is the anonymous field used here: its own budget is what is spent.
const table = (free: number) => JSON.stringify({ 'Query.rateLimitStatus': { FREE: free } });
const status = (app: Awaited<ReturnType<typeof createTestApp>>, headers: Record<string, string>) =>
  app.execute(RateLimitStatusDocument, {}, { headers });

describe('who an anonymous caller is', () => {
  it('is the socket address: spoofed X-Forwarded-For, X-Real-IP and Forwarded do not reset a limit', async () => {
    const app = await createTestApp({ RATE_LIMITS: table(3) });
    const spoofs: Record<string, string>[] = [
      { 'x-forwarded-for': '203.0.113.1' },
      { 'x-real-ip': '203.0.113.2' },
      { forwarded: 'for=203.0.113.3' },
    ];
    for (const headers of spoofs) expect((await status(app, headers)).errors).toBeUndefined();
    const fourth = await status(app, { 'x-forwarded-for': '198.51.100.7' });
    expect(codeOf(fourth)).toBe('RATE_LIMITED');
    expect(fourth.status).toBe(429);
  });

  it('follows X-Forwarded-For only through proxies TRUST_PROXY names, grouping IPv6 by /64', async () => {
    const app = await createTestApp({ RATE_LIMITS: table(2), TRUST_PROXY: 'loopback' });
    const from = (ip: string) => status(app, { 'x-forwarded-for': ip });
    expect((await from('203.0.113.10')).errors).toBeUndefined();
    expect((await from('203.0.113.10')).errors).toBeUndefined();
    expect(codeOf(await from('203.0.113.10'))).toBe('RATE_LIMITED');
    expect((await from('203.0.113.11')).errors).toBeUndefined();

    // Two addresses in one /64 are one client; another /64 is another.
    expect((await from('2001:db8:1:2::1')).errors).toBeUndefined();
    expect((await from('2001:db8:1:2:ffff::9')).errors).toBeUndefined();
    expect(codeOf(await from('2001:db8:1:2:abcd::5'))).toBe('RATE_LIMITED');
    expect((await from('2001:db8:1:3::1')).errors).toBeUndefined();
  });
});

describe('an address a trusted proxy passes on that is not an IP', () => {
  it('is stored cut to an address’s length: sign-up, sign-in and refresh work, and others’ refreshes beside it too', async () => {
    const app = await createTestApp({ TRUST_PROXY: 'loopback' });
    const garbled = { 'x-forwarded-for': `not-an-address-${'x'.repeat(80)}` };
    const account = newAccount();
    const registered = await app.execute(RegisterDocument, { input: account }, { headers: garbled });
    expect(registered.errors).toBeUndefined();
    const login = await app.execute(
      LoginDocument,
      { input: { identifier: account.email, password: account.password } },
      { headers: garbled },
    );
    expect(login.errors).toBeUndefined();
    // Refreshed together with another user's, as concurrent requests are (one statement): both succeed.
    const other = await signUp(app);
    const [mine, theirs] = await Promise.all([
      app.services.sessions.refresh(app.orm.em.fork(), login.data!.login.refreshToken!, {
        ip: garbled['x-forwarded-for'],
        userAgent: null,
      }),
      app.services.sessions.refresh(app.orm.em.fork(), other.refreshToken!, { ip: '127.0.0.1', userAgent: null }),
    ]);
    expect([mine.kind, theirs.kind]).toEqual(['rotated', 'rotated']);
  });
});
