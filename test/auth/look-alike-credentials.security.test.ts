import argon2 from 'argon2';
import { beforeAll, describe, expect, it } from 'vitest';
import { LoginDocument, MySecurityEventsDocument, RegisterDocument } from '../../src/client/generated/graphql.js';
import { codeOf } from '../helpers/graphql.js';
import { createTestApp, newAccount, type TestApp, signedIn } from '../helpers/test-app.js';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});

const fullWidth = (s: string) => s.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
const login = (identifier: string, password: string) => app.execute(LoginDocument, { input: { identifier, password } });

describe('look-alike spellings of a registered email', () => {
  it('are one account: full-width and ligature spellings are refused as CONFLICT and sign in to it', async () => {
    const account = newAccount({ email: `finance.${process.pid}.${Date.now()}@corp.example` });
    expect((await app.execute(RegisterDocument, { input: account })).errors).toBeUndefined();
    const spellings = [
      fullWidth(account.email),
      fullWidth(account.email.toUpperCase()),
      account.email.replace('fi', 'ﬁ'), // U+FB01 LATIN SMALL LIGATURE FI
      account.email.replace('corp.example', 'ＣＯＲＰ．example'),
    ];
    for (const email of spellings) {
      const res = await app.execute(RegisterDocument, { input: { ...newAccount(), email } });
      expect(codeOf(res), email).toBe('CONFLICT');
      expect(res.errors?.[0]?.extensions?.field).toBe('email');
      const signedIn = await login(email, account.password);
      expect(signedIn.data?.login.user.email, email).toBe(account.email);
    }
  });
});

describe('passwords are normalised (NFKC) before hashing', () => {
  it('accepts the full-width spelling of the password it was registered with', async () => {
    const account = newAccount({ password: `Correct Horse ${Date.now()}` });
    await app.execute(RegisterDocument, { input: account });
    expect((await login(account.email, fullWidth(account.password))).errors).toBeUndefined();
  });

  it('still verifies a hash made before normalisation, and replaces it at that login', async () => {
    const plain = `Battery Staple ${Date.now()}`;
    const typed = fullWidth(plain);
    const account = newAccount({ password: plain });
    const registered = await app.execute(RegisterDocument, { input: account });
    const userId = signedIn(registered.data!.register).user.id;
    // What the hasher stored before normalisation: the password exactly as typed.
    const legacy = await argon2.hash(typed, { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 });
    const db = app.orm.em.getConnection();
    await db.execute('update app_user set password_hash = ? where id = ?', [legacy, userId]);

    const first = await login(account.email, typed);
    expect(first.errors).toBeUndefined();
    const [{ password_hash }] = (await db.execute('select password_hash from app_user where id = ?', [userId])) as [
      { password_hash: string },
    ];
    expect(password_hash).not.toBe(legacy);
    const events = await app.execute(MySecurityEventsDocument, {}, { token: first.data!.login.accessToken });
    expect(events.data!.me.securityEvents.map((e) => e.type)).toContain('PASSWORD_REHASHED');
    // The new hash holds the normalised form: the plain spelling now works too.
    expect((await login(account.email, plain)).errors).toBeUndefined();
    expect(codeOf(await login(account.email, `${plain}!`))).toBe('INVALID_CREDENTIALS');
  });
});
