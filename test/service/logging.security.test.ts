import { beforeAll, describe, expect, it } from 'vitest';
import { LoginDocument, MeDocument, RegisterDocument } from '../../src/client/generated/graphql.js';
import { createTestApp, newAccount, type TestApp, signedIn } from '../helpers/test-app.js';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp({ LOG_LEVEL: 'trace' });
});

const parsed = () => app.logs.map((l) => JSON.parse(l) as Record<string, unknown>);

describe('logs', () => {
  it('never contain a password, an access token, a refresh token, an authorization or a cookie header', async () => {
    const canaryPassword = 'canary-password-7f3a9c2e';
    const account = newAccount({ password: canaryPassword });
    const reg = await app.execute(RegisterDocument, { input: account }, { headers: { cookie: 'session=canary-cookie-b1d4' } });
    const { accessToken, refreshToken } = signedIn(reg.data!.register);
    await app.execute(LoginDocument, { input: { identifier: account.email, password: canaryPassword } });
    await app.execute(LoginDocument, { input: { identifier: account.email, password: `${canaryPassword}-wrong` } });
    await app.execute(LoginDocument, { input: { identifier: 'ghost@example.com', password: canaryPassword } });
    await app.execute(RegisterDocument, { input: { ...newAccount(), password: 'short' } });
    await app.execute(MeDocument, {}, { token: accessToken });
    await app.execute(MeDocument, {}, { token: `${accessToken}tampered` });
    await app.execute(MeDocument, {}, { token: refreshToken! });
    // A malformed operation carrying the canary in its variables.
    await app.post({
      query: 'mutation($p: String!) { login(input: { identifier: "a", password: $p }) { nope } }',
      variables: { p: canaryPassword },
    });

    const text = app.logs.join('\n');
    expect(app.logs.length).toBeGreaterThan(10);
    for (const secret of [canaryPassword, accessToken, refreshToken!, 'canary-cookie-b1d4', accessToken.split('.')[2]!]) {
      expect(text).not.toContain(secret);
    }
  });

  it('record each register and login with its outcome', async () => {
    const account = newAccount();
    await app.execute(RegisterDocument, { input: account });
    await app.execute(RegisterDocument, { input: account });
    await app.execute(LoginDocument, { input: { identifier: account.email, password: account.password } });
    await app.execute(LoginDocument, { input: { identifier: account.email, password: 'wrong password here' } });
    await app.execute(LoginDocument, { input: { identifier: 'nobody@example.com', password: 'wrong password here' } });
    const outcomes = parsed()
      .filter((l) => l.event === 'register' || l.event === 'login')
      .map((l) => `${String(l.event)}:${String(l.outcome)}`);
    expect(outcomes).toEqual(
      expect.arrayContaining([
        'register:success',
        'register:conflict',
        'login:success',
        'login:wrong_password',
        'login:unknown_account',
      ]),
    );
  });

  it('bind one request id to every line of a request, echo it, and keep a sane incoming one', async () => {
    const res = await app.execute(
      LoginDocument,
      { input: { identifier: 'nobody@example.com', password: 'whatever password' } },
      { headers: { 'x-request-id': 'client-req-12345' } },
    );
    expect(res.headers.get('x-request-id')).toBe('client-req-12345');
    expect(res.errors![0]!.extensions!.requestId).toBe('client-req-12345');
    const lines = parsed().filter((l) => l.reqId === 'client-req-12345');
    expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['login failed', 'request']));

    const insane = await app.execute(MeDocument, {}, { headers: { 'x-request-id': 'bad id with spaces; and "quotes"' } });
    const replaced = insane.headers.get('x-request-id')!;
    expect(replaced).toMatch(/^[0-9a-f-]{36}$/);
    expect(insane.errors![0]!.extensions!.requestId).toBe(replaced);
  });

  it('are JSON lines with a level and a time', () => {
    for (const line of parsed()) {
      expect(line).toMatchObject({ level: expect.any(String), time: expect.any(String), service: 'tollgate' });
    }
  });
});
