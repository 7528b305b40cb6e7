import { beforeAll, describe, expect, it } from 'vitest';
import {
  LoginDocument,
  LogoutDocument,
  MeDocument,
  MySecurityEventsDocument,
  MySessionsDocument,
  RefreshDocument,
  RevokeSessionDocument,
} from '../../src/client/generated/graphql.js';
import { generateSigningJwk } from '../../src/modules/token/key-ring.js';
import { codeOf } from '../helpers/graphql.js';
import { createTestApp, signUp, type TestApp } from '../helpers/test-app.js';

let app: TestApp;
let other: TestApp;
beforeAll(async () => {
  const keys = JSON.stringify([await generateSigningJwk()]);
  app = await createTestApp({ JWT_SIGNING_KEYS: keys });
  // A second API process on the same database, as behind a load balancer.
  other = await createTestApp({ JWT_SIGNING_KEYS: keys }, {}, { shareDatabaseWith: app });
});

const me = (token: string, on = app) => on.execute(MeDocument, {}, { token });
const login = async (email: string, password: string, agent = 'agent') =>
  (await app.execute(LoginDocument, { input: { identifier: email, password } }, { headers: { 'user-agent': agent } })).data!
    .login;

describe('logout', () => {
  it('rejects the access token on the very next request, on every instance, and ends its refresh token', async () => {
    const s = await signUp(app);
    expect((await me(s.accessToken, other)).data?.me.id).toBe(s.user.id);
    const res = await app.execute(LogoutDocument, {}, { token: s.accessToken });
    expect(res.data?.logout).toBe(true);
    expect(codeOf(await me(s.accessToken))).toBe('UNAUTHENTICATED');
    expect(codeOf(await me(s.accessToken, other))).toBe('UNAUTHENTICATED');
    expect(codeOf(await app.execute(RefreshDocument, { refreshToken: s.refreshToken }))).toBe('UNAUTHENTICATED');
  });

  it('ends only the caller’s session by default, and every session with allSessions', async () => {
    const s = await signUp(app);
    const second = await login(s.account.email, s.account.password);
    const third = await login(s.account.email, s.account.password);
    await app.execute(LogoutDocument, { allSessions: false }, { token: s.accessToken });
    expect((await me(second.accessToken)).data?.me.id).toBe(s.user.id);

    await other.execute(LogoutDocument, { allSessions: true }, { token: second.accessToken });
    for (const token of [second.accessToken, third.accessToken]) {
      expect(codeOf(await me(token))).toBe('UNAUTHENTICATED');
      expect(codeOf(await me(token, other))).toBe('UNAUTHENTICATED');
    }
    expect(codeOf(await app.execute(RefreshDocument, { refreshToken: third.refreshToken }))).toBe('UNAUTHENTICATED');
  });

  it('requires a valid access token', async () => {
    expect(codeOf(await app.execute(LogoutDocument, {}))).toBe('UNAUTHENTICATED');
  });
});

describe('revokeSession', () => {
  it('ends one of the caller’s own sessions at once, on every instance', async () => {
    const s = await signUp(app);
    const phone = await login(s.account.email, s.account.password, 'phone');
    const sessions = (await app.execute(MySessionsDocument, {}, { token: s.accessToken })).data!.me.sessions;
    const phoneSession = sessions.find((x) => x.userAgent === 'phone')!;
    const res = await other.execute(RevokeSessionDocument, { id: phoneSession.id }, { token: s.accessToken });
    expect(res.data?.revokeSession).toBe(true);
    expect(codeOf(await me(phone.accessToken))).toBe('UNAUTHENTICATED');
    expect((await me(s.accessToken)).data?.me.id).toBe(s.user.id);
  });

  it('answers another user’s session exactly like an unknown one', async () => {
    const victim = await signUp(app);
    const attacker = await signUp(app);
    const victimSession = (await app.execute(MySessionsDocument, {}, { token: victim.accessToken })).data!.me.sessions[0]!;
    const foreign = await app.execute(RevokeSessionDocument, { id: victimSession.id }, { token: attacker.accessToken });
    const unknown = await app.execute(
      RevokeSessionDocument,
      { id: '00000000-0000-4000-8000-000000000000' },
      { token: attacker.accessToken },
    );
    const garbage = await app.execute(RevokeSessionDocument, { id: 'not-an-id' }, { token: attacker.accessToken });
    const strip = (r: typeof foreign) =>
      r.errors!.map(({ message, extensions }) => ({ message, code: extensions?.code, field: extensions?.field }));
    expect(codeOf(foreign)).toBe('NOT_FOUND');
    expect(strip(foreign)).toEqual(strip(unknown));
    expect(strip(garbage)).toEqual(strip(unknown));
    expect((await me(victim.accessToken)).data?.me.id).toBe(victim.user.id);
  });
});

describe('me.sessions and me.securityEvents', () => {
  it('list only the caller’s own active sessions, marking the current one', async () => {
    const s = await signUp(app, { headers: { 'user-agent': 'laptop' } });
    const phone = await login(s.account.email, s.account.password, 'phone');
    await signUp(app); // someone else
    const list = (await app.execute(MySessionsDocument, {}, { token: phone.accessToken })).data!.me.sessions;
    expect(list.map((x) => x.userAgent).sort()).toEqual(['laptop', 'phone']);
    expect(list.filter((x) => x.current).map((x) => x.userAgent)).toEqual(['phone']);
    expect(list[0]).toMatchObject({
      ip: expect.stringContaining('127.0.0.1'),
      createdAt: expect.any(String),
      expiresAt: expect.any(String),
    });

    await app.execute(LogoutDocument, {}, { token: s.accessToken });
    const after = (await app.execute(MySessionsDocument, {}, { token: phone.accessToken })).data!.me.sessions;
    expect(after.map((x) => x.userAgent)).toEqual(['phone']);
  });

  it('list the caller’s own security events, newest first', async () => {
    const s = await signUp(app);
    const intruder = await signUp(app);
    const start = app.clock();
    const tick = () => app.clock.advance(1000);
    try {
      tick();
      await app.execute(LoginDocument, { input: { identifier: s.account.email, password: 'not my password 9' } });
      tick();
      const fresh = await login(s.account.email, s.account.password);
      tick();
      await app.execute(RefreshDocument, { refreshToken: fresh.refreshToken });
      tick();
      await app.execute(LogoutDocument, {}, { token: s.accessToken });

      await expect
        .poll(async () =>
          (await app.execute(MySecurityEventsDocument, { first: 10 }, { token: fresh.accessToken })).data!.me.securityEvents.map(
            (e) => e.type,
          ),
        )
        .toEqual(expect.arrayContaining(['LOGIN_FAILED']));
      const events = (await app.execute(MySecurityEventsDocument, { first: 10 }, { token: fresh.accessToken })).data!.me
        .securityEvents;
      expect(events.map((e) => e.type)).toEqual([
        'LOGGED_OUT',
        'TOKEN_REFRESHED',
        'LOGIN_SUCCEEDED',
        'LOGIN_FAILED',
        'REGISTERED',
      ]);
      expect(events.every((e) => e.ip?.includes('127.0.0.1'))).toBe(true);

      const theirs = (await app.execute(MySecurityEventsDocument, {}, { token: intruder.accessToken })).data!.me.securityEvents;
      expect(theirs.map((e) => e.type)).toEqual(['REGISTERED']);
      const limited = await app.execute(MySecurityEventsDocument, { first: 2 }, { token: fresh.accessToken });
      expect(limited.data!.me.securityEvents).toHaveLength(2);
      expect(codeOf(await app.execute(MySecurityEventsDocument, { first: 1000 }, { token: fresh.accessToken }))).toBe(
        'BAD_USER_INPUT',
      );
    } finally {
      app.clock.set(start);
    }
  });
});
