import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AuditLogDocument,
  type AuditLogQuery,
  CreateServiceAccountDocument,
  RefreshDocument,
  RevokeServiceAccountDocument,
  SetUserTierDocument,
} from '../../src/client/generated/graphql.js';
import { codeOf } from '../helpers/graphql.js';
import { createTestApp, signUp, signUpAdmin, type TestApp } from '../helpers/test-app.js';

let app: TestApp;
let admin: Awaited<ReturnType<typeof signUpAdmin>>;
beforeAll(async () => {
  app = await createTestApp();
  admin = await signUpAdmin(app);
});

const sql = <T = Record<string, unknown>>(text: string, params: unknown[] = []) =>
  app.orm.em.getConnection().execute<T[]>(text, params);
const entriesFor = (targetId: string) =>
  sql<{ action: string }>('select action from audit_entry where target_id = ?', [targetId]);
const readLog = async (first = 100) => {
  const res = await app.execute(AuditLogDocument, { first }, { token: admin.accessToken });
  expect(res.errors, res.raw).toBeUndefined();
  return res.data!.auditLog;
};

describe('auditLog', () => {
  it('is refused with FORBIDDEN to everyone but admins: FREE and PREMIUM users, workers, anonymous callers, bad tokens', async () => {
    await app.execute(
      SetUserTierDocument,
      { userId: (await signUp(app)).user.id, tier: 'PREMIUM' },
      { token: admin.accessToken },
    );
    const free = await signUp(app);
    const premium = await signUp(app);
    await app.execute(SetUserTierDocument, { userId: premium.user.id, tier: 'PREMIUM' }, { token: admin.accessToken });
    const premiumToken = (await app.execute(RefreshDocument, { refreshToken: premium.refreshToken })).data!.refresh.accessToken;
    const worker = (await app.execute(CreateServiceAccountDocument, { name: 'w' }, { token: admin.accessToken })).data!
      .createServiceAccount.apiKey;
    for (const token of [free.accessToken, premiumToken, worker, 'not-a-token', undefined]) {
      const res = await app.execute(AuditLogDocument, { first: 10 }, token ? { token } : {});
      expect(codeOf(res), String(token)).toBe('FORBIDDEN');
      expect(res.data?.auditLog ?? null).toBeNull();
      expect(res.raw).not.toContain('TIER_CHANGED');
    }
  });

  it('records a tier change with who, whom, when and from where, in the same transaction', async () => {
    const user = await signUp(app);
    app.clock.advance(1000);
    const res = await app.execute(SetUserTierDocument, { userId: user.user.id, tier: 'PREMIUM' }, { token: admin.accessToken });
    expect(res.errors).toBeUndefined();
    const entry = (await readLog()).edges.map((e) => e.node).find((n) => n.targetId === user.user.id);
    expect(entry).toMatchObject({ action: 'TIER_CHANGED', actorId: admin.user.id, targetId: user.user.id });
    expect(entry?.clientAddress).toContain('127.0.0.1');
    expect(new Date(entry!.at).getTime()).toBe(app.clock().getTime());
  });

  it('records service accounts created and revoked', async () => {
    const created = (await app.execute(CreateServiceAccountDocument, { name: 'audited' }, { token: admin.accessToken })).data!
      .createServiceAccount;
    const id = created.serviceAccount.id;
    expect((await app.execute(RevokeServiceAccountDocument, { id }, { token: admin.accessToken })).errors).toBeUndefined();
    const nodes = (await readLog()).edges.map((e) => e.node).filter((n) => n.targetId === id);
    expect(nodes.map((n) => n.action).sort()).toEqual(['SERVICE_ACCOUNT_CREATED', 'SERVICE_ACCOUNT_REVOKED']);
    for (const n of nodes) expect(n.actorId).toBe(admin.user.id);
  });

  it('writes nothing for an action that failed, and the action rolls back when its entry cannot be written', async () => {
    const missing = randomUUID();
    const res = await app.execute(SetUserTierDocument, { userId: missing, tier: 'PREMIUM' }, { token: admin.accessToken });
    expect(codeOf(res)).toBe('NOT_FOUND');
    expect(await entriesFor(missing)).toEqual([]);
    expect(codeOf(await app.execute(RevokeServiceAccountDocument, { id: missing }, { token: admin.accessToken }))).toBe(
      'NOT_FOUND',
    );
    expect(await entriesFor(missing)).toEqual([]);

    // A fault on the test's own database: this one user's entries cannot be written.
    const user = await signUp(app);
    await sql(`alter table audit_entry add constraint refuse_one check (target_id <> '${user.user.id}') not valid`);
    try {
      const refused = await app.execute(
        SetUserTierDocument,
        { userId: user.user.id, tier: 'PREMIUM' },
        { token: admin.accessToken },
      );
      expect(refused.errors).toBeDefined();
      const [row] = await sql<{ tier: string }>('select tier from app_user where id = ?', [user.user.id]);
      expect(row?.tier).toBe('FREE');
    } finally {
      await sql('alter table audit_entry drop constraint refuse_one');
    }
  });

  it('pages newest first with opaque cursors, and refuses a bad page size or cursor with BAD_USER_INPUT', async () => {
    for (let i = 0; i < 5; i++) {
      app.clock.advance(1000);
      const u = await signUp(app);
      await app.execute(SetUserTierDocument, { userId: u.user.id, tier: 'PREMIUM' }, { token: admin.accessToken });
    }
    const all = (await readLog()).edges.map((e) => e.node.id);
    const paged: string[] = [];
    let after: string | null = null;
    for (;;) {
      const res: Awaited<ReturnType<typeof app.execute<AuditLogQuery, unknown>>> = await app.execute(
        AuditLogDocument,
        { first: 2, after },
        { token: admin.accessToken },
      );
      const page = res.data!.auditLog;
      paged.push(...page.edges.map((e) => e.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(paged).toEqual(all);
    const times = (await readLog()).edges.map((e) => new Date(e.node.at).getTime());
    expect([...times].sort((a, b) => b - a)).toEqual(times);

    for (const variables of [{ first: 0 }, { first: 101 }, { first: 2, after: 'bm90IGEgY3Vyc29y' }, { first: 2, after: '' }]) {
      const res = await app.execute(AuditLogDocument, variables, { token: admin.accessToken });
      expect(codeOf(res), JSON.stringify(variables)).toBe('BAD_USER_INPUT');
    }
  });

  it('is append-only in the database: no update, no delete, no truncate', async () => {
    expect((await sql<{ n: string }>('select count(*) as n from audit_entry'))[0]!.n).not.toBe('0');
    await expect(sql(`update audit_entry set action = 'TIER_CHANGED'`)).rejects.toThrow(/append-only/);
    await expect(sql('delete from audit_entry')).rejects.toThrow(/append-only/);
    await expect(sql('truncate audit_entry')).rejects.toThrow(/append-only/);
  });

  it('forgets entries past AUDIT_RETENTION_DAYS, in bounded batches, and keeps the rest', async () => {
    const before = Number((await sql<{ n: string }>('select count(*) as n from audit_entry'))[0]!.n);
    // 2500 old entries: three purge batches.
    const old = new Date(app.clock().getTime() - 401 * 24 * 3600 * 1000);
    await sql(
      `insert into audit_entry (id, action, actor_id, target_id, at, client_address)
       select gen_random_uuid(), 'TIER_CHANGED', null, gen_random_uuid(), ?::timestamptz - (g || ' seconds')::interval, null
       from generate_series(1, 2500) g`,
      [old.toISOString()],
    );
    expect(await app.services.audit.purgeExpired(app.orm.em.fork())).toBe(2500);
    expect(Number((await sql<{ n: string }>('select count(*) as n from audit_entry'))[0]!.n)).toBe(before);
  });
});
