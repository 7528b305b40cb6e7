import { beforeAll, describe, expect, it } from 'vitest';
import { LoginDocument, LogoutDocument, MeDocument, RefreshDocument } from '../../src/client/generated/graphql.js';
import { codeOf } from '../helpers/graphql.js';
import { createTestApp, signUp, type TestApp } from '../helpers/test-app.js';

const SPA = 'https://app.example.com';
const EVIL = 'https://evil.example';
const cookieMode = { 'x-token-delivery': 'cookie' };

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp({ CORS_ORIGINS: `${SPA}, http://localhost:5173` });
});

function parseSetCookie(headers: Headers) {
  const [raw] = headers.getSetCookie();
  expect(raw).toBeDefined();
  const [pair, ...attrs] = raw!.split('; ');
  const eq = pair!.indexOf('=');
  return {
    name: pair!.slice(0, eq),
    value: pair!.slice(eq + 1),
    attrs: Object.fromEntries(attrs.map((a) => [a.split('=')[0]!.toLowerCase(), a.split('=')[1] ?? true])),
  };
}

describe('cookie mode', () => {
  it('sets the refresh token in a locked-down cookie and leaves it out of the body', async () => {
    const s = await signUp(app);
    const res = await app.execute(
      LoginDocument,
      { input: { identifier: s.account.email, password: s.account.password } },
      { headers: { ...cookieMode, origin: SPA } },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.login.refreshToken).toBeNull();
    const cookie = parseSetCookie(res.headers);
    expect(cookie.name).toBe('__Secure-tollgate_refresh');
    expect(cookie.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(cookie.attrs).toEqual({
      path: '/graphql',
      'max-age': String(7 * 24 * 3600),
      httponly: true,
      samesite: 'Strict',
      secure: true,
    });
    expect(res.headers.get('access-control-allow-origin')).toBe(SPA);
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
  });

  it('refreshes from the cookie alone, rotating it, and logout clears it', async () => {
    const s = await signUp(app);
    const login = await app.execute(
      LoginDocument,
      { input: { identifier: s.account.email, password: s.account.password } },
      { headers: cookieMode },
    );
    const first = parseSetCookie(login.headers);

    const refreshed = await app.execute(
      RefreshDocument,
      {},
      { headers: { ...cookieMode, origin: SPA, cookie: `${first.name}=${first.value}` } },
    );
    expect(refreshed.errors).toBeUndefined();
    expect(refreshed.data!.refresh.refreshToken).toBeNull();
    const second = parseSetCookie(refreshed.headers);
    expect(second.value).not.toBe(first.value);
    expect((await app.execute(MeDocument, {}, { token: refreshed.data!.refresh.accessToken })).data?.me.id).toBe(s.user.id);

    const out = await app.execute(
      LogoutDocument,
      {},
      { token: refreshed.data!.refresh.accessToken, headers: { cookie: `${second.name}=${second.value}` } },
    );
    expect(out.data?.logout).toBe(true);
    const cleared = parseSetCookie(out.headers);
    expect(cleared).toMatchObject({ name: '__Secure-tollgate_refresh', value: '', attrs: { 'max-age': '0', path: '/graphql' } });
    const after = await app.execute(RefreshDocument, {}, { headers: { cookie: `${second.name}=${second.value}` } });
    expect(codeOf(after)).toBe('UNAUTHENTICATED');
  });

  it('refuses the cookie to a foreign origin, with no CORS grant', async () => {
    const s = await signUp(app);
    const login = await app.execute(
      LoginDocument,
      { input: { identifier: s.account.email, password: s.account.password } },
      { headers: cookieMode },
    );
    const c = parseSetCookie(login.headers);
    const res = await app.execute(
      RefreshDocument,
      {},
      { headers: { ...cookieMode, origin: EVIL, cookie: `${c.name}=${c.value}` } },
    );
    expect(codeOf(res)).toBe('FORBIDDEN');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(res.headers.getSetCookie()).toEqual([]);
    // The cookie still works for its own app: the refusal did not consume it.
    const ok = await app.execute(
      RefreshDocument,
      {},
      { headers: { ...cookieMode, origin: SPA, cookie: `${c.name}=${c.value}` } },
    );
    expect(ok.errors).toBeUndefined();
  });

  it('answers CORS preflights only for configured origins', async () => {
    const preflight = (origin: string) =>
      fetch(`${app.url}/graphql`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type, x-token-delivery',
        },
      });
    const good = await preflight(SPA);
    expect(good.status).toBe(204);
    expect(good.headers.get('access-control-allow-origin')).toBe(SPA);
    expect(good.headers.get('access-control-allow-credentials')).toBe('true');
    expect(good.headers.get('access-control-allow-headers')).toContain('x-token-delivery');
    const bad = await preflight(EVIL);
    expect(bad.status).toBe(403);
    expect(bad.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses a cross-site simple request that would carry the cookie (CSRF prevention)', async () => {
    const res = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', origin: EVIL, cookie: '__Secure-tollgate_refresh=whatever' },
      body: JSON.stringify({ query: 'mutation { refresh { accessToken } }' }),
    });
    expect(res.status).toBe(400);
  });
});

describe('cookie mode in development on plain http', () => {
  it('drops Secure and the prefix, which browsers refuse without TLS', async () => {
    const dev = await createTestApp({ NODE_ENV: 'development' });
    const s = await signUp(dev);
    const res = await dev.execute(
      LoginDocument,
      { input: { identifier: s.account.email, password: s.account.password } },
      { headers: cookieMode },
    );
    const cookie = parseSetCookie(res.headers);
    expect(cookie.name).toBe('tollgate_refresh');
    expect(cookie.attrs).toEqual({ path: '/graphql', 'max-age': String(7 * 24 * 3600), httponly: true, samesite: 'Strict' });
  });
});
