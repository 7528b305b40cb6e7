import { describe, expect, it } from 'vitest';
import { LoginDocument, MySecurityEventsDocument, RegisterDocument } from '../../src/client/generated/graphql.js';
import { codeOf } from '../helpers/graphql.js';
import { countingHasher } from '../helpers/hasher.js';
import { createTestApp, newAccount, signUp, type TestApp } from '../helpers/test-app.js';

const login = (app: TestApp, identifier: string, password: string, token?: string) =>
  app.execute(LoginDocument, { input: { identifier, password } }, { token });

const tally = (codes: unknown[]) => {
  const counts: Record<string, number> = {};
  for (const c of codes) counts[String(c)] = (counts[String(c)] ?? 0) + 1;
  return counts;
};

describe('guesses sent in parallel', () => {
  it('are each counted: of 25 at once from one address, 5 reach argon2 and 20 are refused', async () => {
    const calls = { n: 0 };
    const app = await createTestApp({}, countingHasher(calls));
    const { account } = await signUp(app);
    calls.n = 0;
    const results = await Promise.all(Array.from({ length: 25 }, (_, i) => login(app, account.email, `wrong guess number ${i}`)));
    expect(tally(results.map(codeOf))).toEqual({ INVALID_CREDENTIALS: 5, RATE_LIMITED: 20 });
    expect(calls.n).toBe(5);
    // The owner, from that address and without a device token, waits too: the guesser cannot tell when they hit.
    expect(codeOf(await login(app, account.email, account.password))).toBe('RATE_LIMITED');
  });

  it('are each counted when spread over two bearer tokens: 50 at once, 5 reach argon2', async () => {
    const calls = { n: 0 };
    const app = await createTestApp({}, countingHasher(calls));
    const victim = await signUp(app);
    const [first, second] = [await signUp(app), await signUp(app)];
    calls.n = 0;
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        login(app, victim.account.email, `wrong guess number ${i}`, (i % 2 ? first : second)!.accessToken),
      ),
    );
    expect(tally(results.map(codeOf))).toEqual({ INVALID_CREDENTIALS: 5, RATE_LIMITED: 45 });
    expect(calls.n).toBe(5);
  });
});

describe('one budget per account', () => {
  it('is shared by every form of one spelling (case, Unicode form, spaces), and counted apart for email and username', async () => {
    const calls = { n: 0 };
    const app = await createTestApp({}, countingHasher(calls));
    // "é" composed (NFC) at sign-up, decomposed (NFD) at login: one address.
    const account = newAccount({ email: `j\u00e9r\u00f4me.${Date.now()}@example.com` });
    expect((await app.execute(RegisterDocument, { input: account })).errors).toBeUndefined();
    const emailForms = [
      account.email.toUpperCase(),
      account.email.normalize('NFD'),
      ` ${account.email} `,
      account.email,
      account.email.normalize('NFD'),
    ];
    for (const identifier of emailForms)
      expect(codeOf(await login(app, identifier, 'wrong guess 1'))).toBe('INVALID_CREDENTIALS');
    calls.n = 0;
    for (const identifier of [account.email, account.email.normalize('NFD')]) {
      expect(codeOf(await login(app, identifier, 'wrong guess 1'))).toBe('RATE_LIMITED');
    }
    expect(calls.n).toBe(0);
    // The username has its own per-address count, so failures under the email do not tell that they are one account.
    const usernameForms = [
      account.username!.toUpperCase(),
      account.username!,
      ` ${account.username!}`,
      account.username!,
      account.username!,
    ];
    for (const identifier of usernameForms)
      expect(codeOf(await login(app, identifier, 'wrong guess 1'))).toBe('INVALID_CREDENTIALS');
    expect(codeOf(await login(app, account.username!, 'wrong guess 1'))).toBe('RATE_LIMITED');
  });

  it('is kept by an unknown identifier under its canonical form, answering as a real account does', async () => {
    const app = await createTestApp();
    const { account } = await signUp(app);
    const ghost = 'Ghost.Person@Example.com';
    for (const identifier of [ghost, ghost.toLowerCase(), ` ${ghost.toUpperCase()}`, ghost, ghost])
      expect(codeOf(await login(app, identifier, 'wrong guess 1'))).toBe('INVALID_CREDENTIALS');
    for (let i = 0; i < 5; i++) await login(app, account.email, 'wrong guess 1');
    const refusals = [await login(app, ghost.toLowerCase(), 'wrong guess 1'), await login(app, account.email, 'wrong guess 1')];
    const shape = (r: (typeof refusals)[number]) => ({
      status: r.status,
      code: codeOf(r),
      message: r.errors![0]!.message.replace(/\d+ s/, 'N s'),
      limit: r.errors![0]!.extensions!.limit,
      headers: ['retry-after', 'x-ratelimit-limit', 'x-ratelimit-remaining'].map((h) => r.headers.get(h) !== null),
    });
    expect(shape(refusals[0]!)).toEqual(shape(refusals[1]!));
  });
});

describe('a refused login', () => {
  it('answers 429 with Retry-After and the budget in X-RateLimit-*', async () => {
    const app = await createTestApp();
    const { account } = await signUp(app);
    for (let i = 0; i < 5; i++) await login(app, account.email, 'wrong guess 1');
    const res = await login(app, account.email, 'wrong guess 1');
    expect(codeOf(res)).toBe('RATE_LIMITED');
    expect(res.status).toBe(429);
    const retryAfter = Number(res.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    expect(retryAfter).toBe(res.errors![0]!.extensions!.retryAfter);
    expect(res.headers.get('x-ratelimit-limit')).toBe('5');
    expect(res.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(Number(res.headers.get('x-ratelimit-reset'))).toBe(
      Math.ceil(Date.parse(res.errors![0]!.extensions!.resetAt as string) / 1000),
    );
  });

  it('is logged at warn with the address and a keyed identifier hash, never the identifier or password, and recorded on the account', async () => {
    const app = await createTestApp();
    const user = await signUp(app);
    const { email, username } = user.account;
    const password = 'canary-guess-5be1d2';
    for (let i = 0; i < 6; i++) await login(app, i % 2 ? email.toUpperCase() : email, password);
    await login(app, 'ghost.canary@example.com', password);

    const lines = app.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.event === 'login');
    const failed = lines.filter((l) => l.outcome === 'wrong_password');
    const refused = lines.filter((l) => l.outcome === 'throttled');
    expect(failed).toHaveLength(5);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    for (const line of [...failed, ...refused]) {
      expect(line).toMatchObject({ level: 'warn', ip: '127.0.0.1', idHash: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/) });
    }
    // One canonical identifier, one hash, whatever the spelling; another identifier, another hash.
    expect(new Set([...failed, ...refused].map((l) => l.idHash)).size).toBe(1);
    const ghostLine = lines.find((l) => l.outcome === 'unknown_account')!;
    expect(ghostLine).toMatchObject({ level: 'warn', ip: '127.0.0.1' });
    expect(ghostLine.idHash).not.toBe(failed[0]!.idHash);
    const text = app.logs.join('\n').toLowerCase();
    for (const secret of [email, username!, 'ghost.canary', password]) expect(text).not.toContain(secret.toLowerCase());

    // Off the request path: wait for the account's history to show the lock.
    const events = async () =>
      (await app.execute(MySecurityEventsDocument, { first: 50 }, { token: user.accessToken })).data!.me.securityEvents.map(
        (e) => e.type,
      );
    await expect.poll(events).toContain('LOGIN_THROTTLED');
    expect((await events()).filter((t) => t === 'LOGIN_THROTTLED')).toHaveLength(1);
  });

  it('by a field limit is also logged at warn with the address', async () => {
    const app = await createTestApp({ RATE_LIMITS: JSON.stringify({ 'Mutation.login': { FREE: 1 } }) });
    await login(app, 'someone@example.com', 'wrong guess 1');
    const res = await login(app, 'someone@example.com', 'wrong guess 1');
    expect(res.status).toBe(429);
    const line = app.logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.event === 'rate_limited');
    expect(line).toMatchObject({ level: 'warn', ip: '127.0.0.1', field: 'Mutation.login' });
  });
});
