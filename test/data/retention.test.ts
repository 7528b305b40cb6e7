import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { LoginDocument } from '../../src/client/generated/graphql.js';
import { createTestApp, signUp, type TestApp } from '../helpers/test-app.js';

const DAY = 24 * 3600 * 1000;
let app: TestApp;
beforeAll(async () => {
  app = await createTestApp({ PURGE_BATCH_SIZE: '500', PURGE_MAX_BATCHES: '100000' });
});

const sql = (text: string, params: unknown[] = []) => app.orm.em.getConnection().execute(text, params);
const ago = (days: number) => new Date(app.clock().getTime() - days * DAY);
const exists = async (table: string, column: string, value: string) =>
  (await sql(`select 1 from ${table} where ${column} = ?`, [value])).length === 1;

describe('the retention purge', () => {
  it('deletes security events past SECURITY_EVENT_RETENTION_DAYS and keeps the rest', async () => {
    const { user } = await signUp(app);
    const [old, kept] = [randomUUID(), randomUUID()];
    for (const [id, at] of [
      [old, ago(401)],
      [kept, ago(399)],
    ] as const) {
      await sql(`insert into security_event (id, user_id, type, at) values (?, ?, 'LOGIN_FAILED', ?)`, [id, user.id, at]);
    }
    await app.purge();
    expect(await exists('security_event', 'id', old)).toBe(false);
    expect(await exists('security_event', 'id', kept)).toBe(true);
  });

  it('deletes sessions, with their refresh tokens, SESSION_RETENTION_DAYS after they ended, and never a live one', async () => {
    const { user } = await signUp(app);
    const session = async (createdDaysAgo: number, expiresDaysAgo: number, revokedDaysAgo: number | null) => {
      const id = randomUUID();
      await sql(
        `insert into session (id, user_id, created_at, last_used_at, expires_at, revoked_at, revoked_reason, rotation_secret)
         values (?, ?, ?, ?, ?, ?, ?, 'not a real secret')`,
        [
          id,
          user.id,
          ago(createdDaysAgo),
          ago(createdDaysAgo),
          ago(expiresDaysAgo),
          revokedDaysAgo === null ? null : ago(revokedDaysAgo),
          revokedDaysAgo === null ? null : 'LOGOUT',
        ],
      );
      for (let i = 0; i < 3; i++) {
        await sql(`insert into refresh_token (id, session_id, token_hash, created_at, expires_at) values (?, ?, ?, ?, ?)`, [
          randomUUID(),
          id,
          randomUUID().replaceAll('-', ''),
          ago(createdDaysAgo),
          ago(expiresDaysAgo),
        ]);
      }
      return id;
    };
    const revokedLongAgo = await session(40, -20, 31);
    const expiredLongAgo = await session(61, 31, null);
    const revokedRecently = await session(40, -20, 29);
    const expiredRecently = await session(59, 29, null);
    const live = await session(1, -29, null);

    const report = await app.purge();
    expect(report.refreshTokensOfEndedSessions?.rows).toBeGreaterThanOrEqual(6);
    expect(report.endedSessions?.rows).toBeGreaterThanOrEqual(2);
    for (const gone of [revokedLongAgo, expiredLongAgo]) {
      expect(await exists('session', 'id', gone)).toBe(false);
      expect(await sql('select 1 from refresh_token where session_id = ?', [gone])).toEqual([]);
    }
    for (const kept of [revokedRecently, expiredRecently, live]) {
      expect(await exists('session', 'id', kept)).toBe(true);
      expect(await sql('select 1 from refresh_token where session_id = ?', [kept])).toHaveLength(3);
    }
    // The user's own session from signing up is alive and still works.
    const again = await app.execute(LoginDocument, { input: { identifier: user.email, password: 'wrong password here' } });
    expect(again.errors?.[0]?.extensions?.code).toBe('INVALID_CREDENTIALS');
  });

  it('deletes expired email tokens at once, and sent or dead mail past MAIL_RETENTION_DAYS but never pending mail', async () => {
    const { user } = await signUp(app);
    const token = (hash: string, expiresDaysAgo: number) =>
      sql(
        `insert into email_token (token_hash, user_id, purpose, email, created_at, expires_at) values (?, ?, 'VERIFY_EMAIL', ?, ?, ?)`,
        [hash, user.id, user.email, ago(expiresDaysAgo + 1), ago(expiresDaysAgo)],
      );
    const [expired, valid] = [randomUUID().replaceAll('-', ''), randomUUID().replaceAll('-', '')];
    await token(expired, 0.01);
    await token(valid, -1);
    const mail = async (status: string, createdDaysAgo: number) => {
      const id = randomUUID();
      // The outbox keeps no address of its own (its rows name the account, their content is sealed).
      await sql(
        `insert into mail_outbox (id, kind, user_id, status, next_attempt_at, created_at) values (?, 'VERIFY_EMAIL', ?, ?, ?, ?)`,
        [id, user.id, status, ago(createdDaysAgo), ago(createdDaysAgo)],
      );
      return id;
    };
    const [oldSent, oldDead, oldPending, newSent] = [
      await mail('sent', 8),
      await mail('dead', 8),
      await mail('pending', 8),
      await mail('sent', 6),
    ];
    await app.purge();
    expect(await exists('email_token', 'token_hash', expired)).toBe(false);
    expect(await exists('email_token', 'token_hash', valid)).toBe(true);
    expect(await exists('mail_outbox', 'id', oldSent)).toBe(false);
    expect(await exists('mail_outbox', 'id', oldDead)).toBe(false);
    expect(await exists('mail_outbox', 'id', oldPending)).toBe(true);
    expect(await exists('mail_outbox', 'id', newSent)).toBe(true);
  });

  it('works through a large table in bounded batches while sign-ins go on unhindered', async () => {
    const { user, account } = await signUp(app);
    const rows = 200_000;
    // Written on a connection of the test's own: on a busy host, one statement writing them all outlasts the app's timeout.
    const filler = new pg.Client({ connectionString: app.databaseUrl });
    await filler.connect();
    try {
      await filler.query(
        `insert into security_event (id, user_id, type, at, ip, user_agent)
         select gen_random_uuid(), $1, 'LOGIN_FAILED', $2::timestamptz - (g % 1000) * interval '1 minute', '203.0.113.7', 'a browser'
         from generate_series(1, ${rows}) g`,
        [user.id, ago(500)],
      );
      await filler.query('analyze security_event');
    } finally {
      await filler.end();
    }
    let purgeDoneAt = 0;
    const purging = app.purge().then((report) => {
      purgeDoneAt = performance.now();
      return report;
    });
    // Sign-ins while the purge runs: each writes a session and a security event into the tables being purged.
    const signIns: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await app.execute(LoginDocument, { input: { identifier: account.email, password: account.password } });
      expect(res.errors).toBeUndefined();
      signIns.push(performance.now());
    }
    const report = await purging;
    expect(report.securityEvents?.rows).toBe(rows);
    expect(report.securityEvents?.batches).toBeGreaterThanOrEqual(rows / 500);
    // Every sign-in was answered before the purge finished: none waited for it.
    expect(purgeDoneAt).toBeGreaterThan(Math.max(...signIns));
    const left = await sql(`select count(*)::int as n from security_event where user_id = ?`, [user.id]);
    // What is left is the new account's own recent events: registration and the five sign-ins.
    expect(left[0]?.n).toBeGreaterThanOrEqual(6);
    expect(left[0]?.n).toBeLessThan(20);
  });
});
