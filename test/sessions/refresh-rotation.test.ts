import { beforeAll, describe, expect, it } from 'vitest';
import { MeDocument, MySecurityEventsDocument, RefreshDocument } from '../../src/client/generated/graphql.js';
import { hashRefreshToken } from '../../src/modules/session/refresh-token.js';
import { generateSigningJwk } from '../../src/modules/token/key-ring.js';
import { codeOf } from '../helpers/graphql.js';
import { createTestApp, signUp, type TestApp } from '../helpers/test-app.js';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});

const DAY = 24 * 60 * 60 * 1000;
const refresh = (refreshToken: string | null) => app.execute(RefreshDocument, { refreshToken });
const me = (token: string) => app.execute(MeDocument, {}, { token });
const sql = <T extends object>(query: string, params: unknown[] = []) => app.orm.em.getConnection().execute<T[]>(query, params);
const liveTokens = (sessionId: string) =>
  sql<{ token_hash: string }>('select token_hash from refresh_token where session_id = ? and rotated_at is null', [sessionId]);
const sessionOf = async (accessToken: string) =>
  JSON.parse(Buffer.from(accessToken.split('.')[1]!, 'base64url').toString()).sid as string;

describe('refresh rotation', () => {
  it('exchanges a refresh token for new tokens of the same session, once', async () => {
    const first = await signUp(app);
    const res = await refresh(first.refreshToken);
    expect(res.errors).toBeUndefined();
    const next = res.data!.refresh;
    expect(next.refreshToken).not.toBe(first.refreshToken);
    expect(next.accessToken).not.toBe(first.accessToken);
    expect(next.user.id).toBe(first.user.id);
    expect(await sessionOf(next.accessToken)).toBe(await sessionOf(first.accessToken));
    expect((await me(next.accessToken)).data?.me.id).toBe(first.user.id);
    expect(await liveTokens(await sessionOf(next.accessToken))).toEqual([{ token_hash: hashRefreshToken(next.refreshToken!) }]);

    const again = await refresh(next.refreshToken);
    expect(again.data?.refresh.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('refuses unknown tokens, an access token, and a missing token with UNAUTHENTICATED', async () => {
    const { accessToken } = await signUp(app);
    for (const bad of ['x'.repeat(43), accessToken, '']) expect(codeOf(await refresh(bad))).toBe('UNAUTHENTICATED');
    expect(codeOf(await refresh(null))).toBe('UNAUTHENTICATED');
  });

  it('never extends the absolute lifetime of a session', async () => {
    const start = app.clock();
    const first = await signUp(app);
    let token = first.refreshToken!;
    try {
      for (let day = 6; day < 30; day += 6) {
        app.clock.set(new Date(start.getTime() + day * DAY));
        const res = await refresh(token);
        expect(res.errors, `day ${day}`).toBeUndefined();
        token = res.data!.refresh.refreshToken!;
        expect(new Date(res.data!.refresh.refreshTokenExpiresAt).getTime()).toBeLessThanOrEqual(start.getTime() + 30 * DAY);
      }
      app.clock.set(new Date(start.getTime() + 30 * DAY + 1000));
      expect(codeOf(await refresh(token))).toBe('UNAUTHENTICATED');
    } finally {
      app.clock.set(start);
    }
  });

  it('expires a session left unused for longer than the idle timeout', async () => {
    const start = app.clock();
    const first = await signUp(app);
    try {
      app.clock.set(new Date(start.getTime() + 7 * DAY - 1000));
      const kept = await refresh(first.refreshToken);
      expect(kept.errors).toBeUndefined();
      app.clock.set(new Date(start.getTime() + 14 * DAY));
      expect(codeOf(await refresh(kept.data!.refresh.refreshToken))).toBe('UNAUTHENTICATED');
    } finally {
      app.clock.set(start);
    }
  });
});

describe('reuse detection', () => {
  it('revokes the whole session, live access token included, when a rotated token is replayed after the window', async () => {
    const first = await signUp(app);
    const rotated = (await refresh(first.refreshToken)).data!.refresh;
    app.clock.advance(11_000);
    try {
      const replay = await refresh(first.refreshToken);
      expect(codeOf(replay)).toBe('UNAUTHENTICATED');
      expect(codeOf(await me(rotated.accessToken))).toBe('UNAUTHENTICATED');
      expect(codeOf(await refresh(rotated.refreshToken))).toBe('UNAUTHENTICATED');
      const [row] = await sql<{ revoked_reason: string }>('select revoked_reason from session where id = ?', [
        await sessionOf(rotated.accessToken),
      ]);
      expect(row!.revoked_reason).toBe('refresh_token_reused');
      const events = await sql<{ type: string }>('select type from security_event where user_id = ? order by at desc', [
        first.user.id,
      ]);
      expect(events.map((e) => e.type)).toContain('REFRESH_TOKEN_REUSED');
    } finally {
      app.clock.advance(-11_000);
    }
  });
});

describe('the grace window', () => {
  it('answers a duplicate refresh with the chain’s current token instead of forking it', async () => {
    const first = await signUp(app);
    const a = (await refresh(first.refreshToken)).data!.refresh;
    app.clock.advance(2_000);
    try {
      const duplicate = await refresh(first.refreshToken);
      expect(duplicate.errors).toBeUndefined();
      expect(duplicate.data!.refresh.refreshToken).toBe(a.refreshToken);
      const sid = await sessionOf(a.accessToken);
      expect(await liveTokens(sid)).toHaveLength(1);
      expect((await sql('select id from refresh_token where session_id = ?', [sid])).length).toBe(2);

      // The chain moved on again; the old token, still within its window, is pointed at the newest one.
      const b = (await refresh(a.refreshToken)).data!.refresh;
      const late = await refresh(first.refreshToken);
      expect(late.data!.refresh.refreshToken).toBe(b.refreshToken);
      expect(await liveTokens(sid)).toEqual([{ token_hash: hashRefreshToken(b.refreshToken!) }]);
    } finally {
      app.clock.advance(-2_000);
    }
  });

  it('leaves exactly one valid refresh token after 20 parallel refreshes of one token', async () => {
    const first = await signUp(app);
    const results = await Promise.all(Array.from({ length: 20 }, () => refresh(first.refreshToken)));
    const codes = results.map((r) => codeOf(r)).filter(Boolean);
    expect(codes).toEqual([]);
    const issued = new Set(results.map((r) => r.data!.refresh.refreshToken));
    expect(issued.size).toBe(1);
    const sid = await sessionOf(results[0]!.data!.refresh.accessToken);
    const [winner] = issued;
    expect(await liveTokens(sid)).toEqual([{ token_hash: hashRefreshToken(winner!) }]);
    expect((await refresh(winner!)).errors).toBeUndefined();
  });

  it('records one TOKEN_REFRESHED per rotation, not per duplicate', async () => {
    const first = await signUp(app);
    await Promise.all(Array.from({ length: 5 }, () => refresh(first.refreshToken)));
    const events = await app.execute(MySecurityEventsDocument, { first: 50 }, { token: first.accessToken });
    expect(events.data!.me.securityEvents.filter((e) => e.type === 'TOKEN_REFRESHED')).toHaveLength(1);
  });
});

describe('on two instances', () => {
  it('rotates, answers duplicates and detects reuse alike whichever instance issued the token', async () => {
    const keys = JSON.stringify([await generateSigningJwk()]);
    const a = await createTestApp({ JWT_SIGNING_KEYS: keys });
    const b = await createTestApp({ JWT_SIGNING_KEYS: keys }, {}, { shareDatabaseWith: a });
    const on = (instance: TestApp, refreshToken: string | null) => instance.execute(RefreshDocument, { refreshToken });
    const first = await signUp(a);
    // Issued by A, rotated by B, then rotated by B again and by A.
    const second = (await on(b, first.refreshToken)).data!.refresh;
    const third = (await on(b, second.refreshToken)).data!.refresh;
    const fourth = (await on(a, third.refreshToken)).data!.refresh;
    expect(new Set([first.refreshToken, second.refreshToken, third.refreshToken, fourth.refreshToken]).size).toBe(4);
    const sid = await sessionOf(fourth.accessToken);
    expect(await sessionOf(second.accessToken)).toBe(sid);
    expect((await a.execute(MeDocument, {}, { token: fourth.accessToken })).data?.me.id).toBe(first.user.id);
    // A still holds what it knew of the first token; the database says it was rotated: the grace answer.
    const duplicate = (await on(a, first.refreshToken)).data?.refresh;
    expect(duplicate?.refreshToken).toBe(fourth.refreshToken);
    a.clock.advance(60_000);
    b.clock.advance(60_000);
    try {
      expect(codeOf(await on(a, second.refreshToken))).toBe('UNAUTHENTICATED');
      expect(codeOf(await on(b, fourth.refreshToken))).toBe('UNAUTHENTICATED');
    } finally {
      a.clock.advance(-60_000);
      b.clock.advance(-60_000);
    }
  });
});

describe('with the grace window disabled', () => {
  it('treats any second use of a token as reuse', async () => {
    const strict = await createTestApp({ REFRESH_GRACE_SECONDS: '0' });
    const first = await signUp(strict);
    const a = await strict.execute(RefreshDocument, { refreshToken: first.refreshToken });
    expect(a.errors).toBeUndefined();
    const b = await strict.execute(RefreshDocument, { refreshToken: first.refreshToken });
    expect(codeOf(b)).toBe('UNAUTHENTICATED');
    expect(codeOf(await strict.execute(MeDocument, {}, { token: a.data!.refresh.accessToken }))).toBe('UNAUTHENTICATED');
  });
});
