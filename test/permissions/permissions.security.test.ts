import { spawn } from 'node:child_process';
import { execute as run, buildSchema, parse, isObjectType, type GraphQLSchema } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  LoginDocument,
  MeDocument,
  RateLimitStatusDocument,
  RefreshDocument,
  RegisterDocument,
  SetUserTierDocument,
  UsersDocument,
  type UsersQuery,
} from '../../src/client/generated/graphql.js';
import { allow, applyPermissions, ruleFor, ruleTree } from '../../src/graphql/permissions.js';
import { buildBaseSchema } from '../../src/graphql/schema.js';
import { codeOf } from '../helpers/graphql.js';
import { createTestApp, signUp, signUpAdmin, type TestApp } from '../helpers/test-app.js';

let app: TestApp;
let admin: Awaited<ReturnType<typeof signUpAdmin>>;
beforeAll(async () => {
  app = await createTestApp();
  admin = await signUpAdmin(app);
});

describe('the rule tree', () => {
  it('names every field of the schema, so none relies on the deny fallback by accident', async () => {
    const schema: GraphQLSchema = await buildBaseSchema();
    const rules = ruleTree as Record<string, unknown>;
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__')) continue;
      const typeRule = rules[type.name];
      if (!typeRule) {
        missing.push(type.name);
        continue;
      }
      // A graphql-shield rule (it has `resolve`) covers the whole type; a field map must name every field or have '*'.
      const isRule = typeof (typeRule as { resolve?: unknown }).resolve === 'function';
      if (!isRule && !('*' in (typeRule as object))) {
        for (const field of Object.keys(type.getFields())) {
          if (!(field in (typeRule as object))) missing.push(`${type.name}.${field}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('refuses a field that has no rule (deny by default) with FORBIDDEN', async () => {
    const schema = buildSchema('type Query { open: String, forgotten: String }');
    const guarded = applyPermissions(schema, { Query: { open: allow } });
    const rootValue = { open: () => 'yes', forgotten: () => 'secret' };
    const result = await run({ schema: guarded, document: parse('{ open forgotten }'), rootValue, contextValue: {} });
    expect(result.data).toEqual({ open: 'yes', forgotten: null });
    expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('refuses the fields of a type without rules, and a field added to an allowed type whose other fields have rules', async () => {
    const schema = buildSchema(`
      type Query { open: Thing, other: Other }
      type Thing { shown: String, added: String }
      type Other { inner: String }`);
    const guarded = applyPermissions(schema, { Query: { open: allow, other: allow }, Thing: { shown: allow } });
    const rootValue = { open: { shown: 'yes', added: 'secret' }, other: { inner: 'secret' } };
    const result = await run({
      schema: guarded,
      document: parse('{ open { shown added } other { inner } }'),
      rootValue,
      contextValue: {},
    });
    expect(result.data).toEqual({ open: { shown: 'yes', added: null }, other: { inner: null } });
    expect(result.errors?.map((e) => [e.path?.join('.'), e.extensions?.code])).toEqual([
      ['open.added', 'FORBIDDEN'],
      ['other.inner', 'FORBIDDEN'],
    ]);
  });

  it('refuses, at build time, rules for types or fields the schema lacks', () => {
    const schema = buildSchema('type Query { open: String }');
    expect(() => applyPermissions(schema, { Query: { open: allow, gone: allow } })).toThrow(/Query\.gone/);
    expect(() => applyPermissions(schema, { Query: { open: allow }, Missing: allow })).toThrow(/Missing/);
  });

  it('pins the fields open to whoever reaches their parent: a field added to an allowed type is a decision', async () => {
    // A type allowed as a whole, or User's '*', lets a field added later through without a rule of its own;
    // this list makes such an addition fail here until someone has decided it may be open.
    const schema = await buildBaseSchema();
    const open: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__') || ['Query', 'Mutation', 'Subscription'].includes(type.name))
        continue;
      for (const field of Object.keys(type.getFields()))
        if (ruleFor(ruleTree, type.name, field) === allow) open.push(`${type.name}.${field}`);
    }
    expect(open.sort()).toEqual([
      // Reached only through auditLog, which admins alone may read.
      'AuditEntry.action',
      'AuditEntry.actorId',
      'AuditEntry.at',
      'AuditEntry.clientAddress',
      'AuditEntry.id',
      'AuditEntry.targetId',
      'AuditEntryConnection.edges',
      'AuditEntryConnection.pageInfo',
      'AuditEntryEdge.cursor',
      'AuditEntryEdge.node',
      'AuthPayload.accessToken',
      'AuthPayload.accessTokenExpiresAt',
      'AuthPayload.deviceToken',
      'AuthPayload.refreshToken',
      'AuthPayload.refreshTokenExpiresAt',
      'AuthPayload.user',
      'FieldRateLimit.field',
      'FieldRateLimit.limit',
      'FieldRateLimit.remaining',
      'FieldRateLimit.resetAt',
      'FieldRateLimit.used',
      'FieldRateLimit.windowSeconds',
      'OAuthStart.authorizationUrl',
      'OAuthStart.binding',
      'OAuthStart.state',
      'PageInfo.endCursor',
      'PageInfo.hasNextPage',
      'RateLimitStatus.limits',
      'RateLimitStatus.tier',
      // The caller's own sign-up address, back to them (verify-first sign-up).
      'RegistrationPending.email',
      'ResourceProgress.expiresAt',
      'ResourceProgress.overallStatus',
      'ResourceProgress.ownerId',
      'ResourceProgress.percentComplete',
      'ResourceProgress.resourceId',
      'ResourceProgress.stages',
      'ResourceProgress.updatedAt',
      'SecurityEvent.at',
      'SecurityEvent.id',
      'SecurityEvent.ip',
      'SecurityEvent.type',
      'SecurityEvent.userAgent',
      'ServiceAccount.createdAt',
      'ServiceAccount.id',
      'ServiceAccount.keyPrefix',
      'ServiceAccount.name',
      'ServiceAccount.revokedAt',
      'ServiceAccountCredentials.apiKey',
      'ServiceAccountCredentials.serviceAccount',
      'Session.createdAt',
      'Session.current',
      'Session.expiresAt',
      'Session.id',
      'Session.ip',
      'Session.lastUsedAt',
      'Session.userAgent',
      'StageProgress.message',
      'StageProgress.percent',
      'StageProgress.stage',
      'StageProgress.status',
      'StageProgress.updatedAt',
      'User.createdAt',
      'User.email',
      'User.emailVerified',
      'User.id',
      'User.lastLoginAt',
      'User.tier',
      'User.username',
      'UserConnection.edges',
      'UserConnection.pageInfo',
      'UserEdge.cursor',
      'UserEdge.node',
    ]);
  });

  it('guards every field of the real schema whose rule is not allow, and leaves allowed ones unwrapped', async () => {
    const base = await buildBaseSchema();
    const guarded = applyPermissions(base);
    for (const type of Object.values(guarded.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__')) continue;
      const before = (base.getType(type.name) as typeof type).getFields();
      for (const [name, field] of Object.entries(type.getFields())) {
        if (ruleFor(ruleTree, type.name, name) === allow)
          expect(field.resolve, `${type.name}.${name}`).toBe(before[name]!.resolve);
        else expect(field.resolve, `${type.name}.${name}`).not.toBe(before[name]!.resolve);
      }
    }
  });
});

describe('authenticated fields', () => {
  it('refuse anonymous callers and bad tokens with UNAUTHENTICATED', async () => {
    expect(codeOf(await app.execute(MeDocument, {}))).toBe('UNAUTHENTICATED');
    expect(codeOf(await app.execute(MeDocument, {}, { token: 'nope' }))).toBe('UNAUTHENTICATED');
  });

  it('keep the codes of errors thrown inside resolvers', async () => {
    const res = await app.execute(RegisterDocument, { input: { email: 'bad', password: 'x' } });
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    const login = await app.execute(LoginDocument, { input: { identifier: 'nobody@example.com', password: 'whatever 123' } });
    expect(codeOf(login)).toBe('INVALID_CREDENTIALS');
  });
});

describe('admin-only fields', () => {
  it('refuse FREE and PREMIUM users with FORBIDDEN and anonymous callers with UNAUTHENTICATED', async () => {
    const free = await signUp(app);
    const premium = await signUp(app);
    await app.execute(SetUserTierDocument, { userId: premium.user.id, tier: 'PREMIUM' }, { token: admin.accessToken });
    const premiumToken = (await app.execute(RefreshDocument, { refreshToken: premium.refreshToken })).data!.refresh.accessToken;
    for (const token of [free.accessToken, premiumToken]) {
      expect(codeOf(await app.execute(UsersDocument, {}, { token }))).toBe('FORBIDDEN');
      const set = await app.execute(SetUserTierDocument, { userId: free.user.id, tier: 'ADMIN' }, { token });
      expect(codeOf(set)).toBe('FORBIDDEN');
    }
    expect(codeOf(await app.execute(UsersDocument, {}))).toBe('UNAUTHENTICATED');
    const [row] = await app.orm.em
      .getConnection()
      .execute<{ tier: string }[]>('select tier from app_user where id = ?', [free.user.id]);
    expect(row!.tier).toBe('FREE');
  });

  it('let an admin page through every user with a capped page size', async () => {
    for (let i = 0; i < 5; i++) await signUp(app);
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 20; page++) {
      const res: { data?: UsersQuery | null; errors?: unknown } = await app.execute(
        UsersDocument,
        { first: 2, after },
        { token: admin.accessToken },
      );
      expect(res.errors).toBeUndefined();
      const { edges, pageInfo } = res.data!.users;
      expect(edges.length).toBeLessThanOrEqual(2);
      seen.push(...edges.map((e) => e.node.id));
      if (!pageInfo.hasNextPage) break;
      after = pageInfo.endCursor;
    }
    const [{ n }] = (await app.orm.em.getConnection().execute<{ n: string }[]>('select count(*) as n from app_user')) as [
      { n: string },
    ];
    expect(seen).toHaveLength(Number(n));
    expect(new Set(seen).size).toBe(seen.length);
    expect(codeOf(await app.execute(UsersDocument, { first: 101 }, { token: admin.accessToken }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await app.execute(UsersDocument, { first: 0 }, { token: admin.accessToken }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await app.execute(UsersDocument, { after: 'garbage' }, { token: admin.accessToken }))).toBe('BAD_USER_INPUT');
  });

  it('do not let an admin read another user’s sessions through users', async () => {
    const res = await app.post(
      { query: '{ users(first: 5) { edges { node { id sessions { id } } } } }' },
      { token: admin.accessToken },
    );
    const codes = new Set(res.errors?.map((e) => e.extensions?.code));
    expect(codes, res.raw).toEqual(new Set(['FORBIDDEN']));
  });
});

describe('changing a tier', () => {
  it('takes effect on the user’s next request: the old token is refused, a refreshed one carries the new tier', async () => {
    const user = await signUp(app);
    const set = await app.execute(SetUserTierDocument, { userId: user.user.id, tier: 'PREMIUM' }, { token: admin.accessToken });
    expect(set.data?.setUserTier.tier).toBe('PREMIUM');
    expect(codeOf(await app.execute(MeDocument, {}, { token: user.accessToken }))).toBe('UNAUTHENTICATED');
    const fresh = (await app.execute(RefreshDocument, { refreshToken: user.refreshToken })).data!.refresh;
    const status = await app.execute(RateLimitStatusDocument, {}, { token: fresh.accessToken });
    expect(status.data?.rateLimitStatus.tier).toBe('PREMIUM');
    expect((await app.execute(MeDocument, {}, { token: fresh.accessToken })).data?.me.tier).toBe('PREMIUM');
  });

  it('answers an unknown user id with NOT_FOUND', async () => {
    const res = await app.execute(
      SetUserTierDocument,
      { userId: '00000000-0000-4000-8000-000000000000', tier: 'PREMIUM' },
      { token: admin.accessToken },
    );
    expect(codeOf(res)).toBe('NOT_FOUND');
  });
});

/**
 * Runs `npm run admin` without blocking the event loop: this process also serves the app, and a
 * server frozen for seconds by spawnSync resets its idle keep-alive sockets just as the next request reuses one.
 */
function runAdminCli(args: string[], databaseUrl: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'admin', '--', ...args], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: databaseUrl, NODE_ENV: 'test' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('npm run admin -- grant <email>', () => {
  it('makes the first admin from the shell', async () => {
    const user = await signUp(app);
    const result = await runAdminCli(['grant', user.account.email.toUpperCase()], app.databaseUrl);
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('is now ADMIN');
    const fresh = (await app.execute(RefreshDocument, { refreshToken: user.refreshToken })).data!.refresh;
    const users = await app.execute(UsersDocument, { first: 1 }, { token: fresh.accessToken });
    expect(users.errors, users.raw).toBeUndefined();

    const unknown = await runAdminCli(['grant', 'ghost@example.com'], app.databaseUrl);
    expect(unknown.status).toBe(1);
  }, 60_000);
});
