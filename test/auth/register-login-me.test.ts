import { createHash } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { LoginDocument, MeDocument, RegisterDocument } from '../../src/client/generated/graphql.js';
import { User } from '../../src/modules/user/user.entity.js';
import { codeOf } from '../helpers/graphql.js';
import { createTestApp, newAccount, type TestApp, signedIn } from '../helpers/test-app.js';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});

const sql = <T extends object>(query: string, params: unknown[] = []) => app.orm.em.getConnection().execute<T[]>(query, params);

describe('register → login → me', () => {
  it('registers, signs in by email and by username, and answers me with either token', async () => {
    const account = newAccount();
    const registered = await app.execute(RegisterDocument, { input: account }, { headers: { 'user-agent': 'test-agent/1.0' } });
    expect(registered.errors).toBeUndefined();
    const reg = signedIn(registered.data!.register);
    expect(reg.user).toMatchObject({ email: account.email, username: account.username, tier: 'FREE', lastLoginAt: null });
    expect(reg.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(new Date(reg.accessTokenExpiresAt).getTime() - app.clock().getTime()).toBe(15 * 60 * 1000);

    const me = await app.execute(MeDocument, {}, { token: reg.accessToken });
    expect(me.data?.me).toEqual(reg.user);

    const byEmail = await app.execute(LoginDocument, { input: { identifier: account.email, password: account.password } });
    expect(byEmail.errors).toBeUndefined();
    expect(byEmail.data!.login.user.id).toBe(reg.user.id);
    expect(byEmail.data!.login.user.lastLoginAt).toBe(app.clock().toISOString());

    const byUsername = await app.execute(LoginDocument, {
      input: { identifier: account.username!.toUpperCase(), password: account.password },
    });
    expect(byUsername.data!.login.user.id).toBe(reg.user.id);
    const meAgain = await app.execute(MeDocument, {}, { token: byUsername.data!.login.accessToken });
    expect(meAgain.data?.me.id).toBe(reg.user.id);
  });

  it('signs access tokens with Ed25519 and the promised claims, one session per sign-in', async () => {
    const account = newAccount();
    const { data } = await app.execute(RegisterDocument, { input: account }, { headers: { 'user-agent': 'agent-x' } });
    const token = signedIn(data!.register).accessToken;
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'EdDSA', typ: 'at+jwt', kid: expect.any(String) });
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({
      iss: 'urn:tollgate',
      aud: 'urn:tollgate:api',
      sub: signedIn(data!.register).user.id,
      tier: 'FREE',
    });
    expect(claims.exp! - claims.iat!).toBe(900);
    expect(typeof claims.jti).toBe('string');

    const sessions = await sql<{ id: string; user_agent: string; ip: string; expires_at: Date }>(
      'select id, user_agent, ip, expires_at from session where user_id = ?',
      [signedIn(data!.register).user.id],
    );
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({ id: claims.sid, user_agent: 'agent-x' });
    expect(sessions[0]!.ip).toMatch(/127\.0\.0\.1/);

    await app.execute(LoginDocument, { input: { identifier: account.email, password: account.password } });
    const after = await sql('select id from session where user_id = ?', [signedIn(data!.register).user.id]);
    expect(after).toHaveLength(2);
  });

  it('stores the refresh token only as its SHA-256 hash and the password only as an argon2id hash', async () => {
    const account = newAccount();
    const { data } = await app.execute(RegisterDocument, { input: account });
    const refresh = signedIn(data!.register).refreshToken!;
    const rows = await sql<{ token_hash: string }>(
      'select r.token_hash from refresh_token r join session s on s.id = r.session_id where s.user_id = ?',
      [signedIn(data!.register).user.id],
    );
    expect(rows).toEqual([{ token_hash: createHash('sha256').update(refresh).digest('hex') }]);
    const dump = JSON.stringify(await sql('select * from refresh_token'));
    expect(dump).not.toContain(refresh);

    const [user] = await sql<{ password_hash: string }>('select password_hash from app_user where id = ?', [
      signedIn(data!.register).user.id,
    ]);
    expect(user!.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(user!.password_hash).not.toContain(account.password);
  });

  it('does not load the password hash unless asked to', async () => {
    const { data } = await app.execute(RegisterDocument, { input: newAccount() });
    const user = await app.orm.em.fork().findOneOrFail(User, signedIn(data!.register).user.id);
    expect(user.passwordHash).toBeUndefined();
    expect(JSON.stringify(user)).not.toContain('argon2');
  });

  it('treats differently-cased emails as one account', async () => {
    const account = newAccount({ email: 'Alice.Cased@Example.IO' });
    const first = await app.execute(RegisterDocument, { input: account });
    expect(signedIn(first.data!.register).user.email).toBe('alice.cased@example.io');

    const again = await app.execute(RegisterDocument, { input: { ...newAccount(), email: '  alice.CASED@example.io ' } });
    expect(codeOf(again)).toBe('CONFLICT');
    expect(again.errors![0]!.extensions!.field).toBe('email');
    expect(again.data).toBeNull();

    const login = await app.execute(LoginDocument, {
      input: { identifier: 'ALICE.cased@EXAMPLE.io', password: account.password },
    });
    expect(login.data?.login.user.id).toBe(signedIn(first.data!.register).user.id);
  });

  it('normalises emails to NFC, so composed and decomposed forms are one account', async () => {
    const composed = 'j\u00f6rg.nfc@example.com';
    const decomposed = 'jo\u0308rg.nfc@example.com';
    const account = newAccount({ email: decomposed });
    const first = await app.execute(RegisterDocument, { input: account });
    expect(signedIn(first.data!.register).user.email).toBe(composed);
    const again = await app.execute(RegisterDocument, { input: newAccount({ email: composed }) });
    expect(codeOf(again)).toBe('CONFLICT');
    const login = await app.execute(LoginDocument, { input: { identifier: composed, password: account.password } });
    expect(login.data?.login.user.id).toBe(signedIn(first.data!.register).user.id);
  });

  it('refuses a username already taken in another case, naming the field, and writes nothing', async () => {
    const first = newAccount({ username: 'taken_name' });
    await app.execute(RegisterDocument, { input: first });
    const second = newAccount({ username: 'TAKEN_Name' });
    const res = await app.execute(RegisterDocument, { input: second });
    expect(codeOf(res)).toBe('CONFLICT');
    expect(res.errors![0]!.extensions!.field).toBe('username');
    const leftovers = await sql('select id from app_user where email = ?', [second.email]);
    expect(leftovers).toEqual([]);
  });

  it('allows accounts without a username', async () => {
    const a = await app.execute(RegisterDocument, { input: newAccount({ username: null }) });
    const b = await app.execute(RegisterDocument, { input: newAccount({ username: null }) });
    expect(signedIn(a.data!.register).user.username).toBeNull();
    expect(signedIn(b.data!.register).user.username).toBeNull();
  });

  it('rehashes a password stored with older argon2 parameters at the next login', async () => {
    const account = newAccount();
    const { data } = await app.execute(RegisterDocument, { input: account });
    const argon2 = await import('argon2');
    const weak = await argon2.hash(account.password, { type: argon2.argon2id, memoryCost: 8192, timeCost: 1, parallelism: 1 });
    await sql('update app_user set password_hash = ? where id = ?', [weak, signedIn(data!.register).user.id]);

    const login = await app.execute(LoginDocument, { input: { identifier: account.email, password: account.password } });
    expect(login.errors).toBeUndefined();
    const [row] = await sql<{ password_hash: string }>('select password_hash from app_user where id = ?', [
      signedIn(data!.register).user.id,
    ]);
    expect(row!.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await argon2.verify(row!.password_hash, account.password)).toBe(true);
  });

  it('keeps a hash made with the current parameters as it is at login', async () => {
    const account = newAccount();
    const { data } = await app.execute(RegisterDocument, { input: account });
    const hashOf = async () =>
      (
        await sql<{ password_hash: string }>('select password_hash from app_user where id = ?', [
          signedIn(data!.register).user.id,
        ])
      )[0]!.password_hash;
    const before = await hashOf();

    const login = await app.execute(LoginDocument, { input: { identifier: account.email, password: account.password } });
    expect(login.errors).toBeUndefined();
    expect(await hashOf()).toBe(before);
  });

  it('answers me without a token with UNAUTHENTICATED', async () => {
    const res = await app.execute(MeDocument, {});
    expect(codeOf(res)).toBe('UNAUTHENTICATED');
    expect(res.data).toBeNull();
  });
});
