import { beforeAll, describe, expect, it } from 'vitest';
import { LoginDocument, RegisterDocument } from '../../src/client/generated/graphql.js';
import { codeOf } from '../helpers/graphql.js';
import { createTestApp, newAccount, type TestApp } from '../helpers/test-app.js';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});

const countUsers = async () =>
  Number((await app.orm.em.getConnection().execute<{ n: string }[]>('select count(*) as n from app_user'))[0]!.n);

describe('register refuses bad input with BAD_USER_INPUT naming the field, and writes nothing', () => {
  const cases: [string, Partial<{ email: string; username: string; password: string }>, string][] = [
    ['an empty email', { email: '' }, 'email'],
    ['a blank email', { email: '   ' }, 'email'],
    ['an email without @', { email: 'nobody.example.com' }, 'email'],
    ['an email without a domain', { email: 'nobody@' }, 'email'],
    ['an email with a single-label domain', { email: 'nobody@localhost' }, 'email'],
    ['an email with two @', { email: 'a@b@example.com' }, 'email'],
    ['an email with spaces inside', { email: 'no body@example.com' }, 'email'],
    ['an email with a numeric top-level domain', { email: 'a@example.123' }, 'email'],
    ['an email with consecutive dots', { email: 'a..b@example.com' }, 'email'],
    ['an email longer than 254 characters', { email: `${'a'.repeat(64)}@${'b'.repeat(185)}.com` }, 'email'],
    ['a local part longer than 64 characters', { email: `${'a'.repeat(65)}@example.com` }, 'email'],
    ['a username of 2 characters', { username: 'ab' }, 'username'],
    ['a username of 33 characters', { username: 'a'.repeat(33) }, 'username'],
    ['a username with a hyphen', { username: 'bad-name' }, 'username'],
    ['a username with a space', { username: 'bad name' }, 'username'],
    ['a username with a non-ASCII letter', { username: 'jörg_1' }, 'username'],
    ['an empty username', { username: '' }, 'username'],
    ['a password of 7 characters', { password: 'Zq9#xK2' }, 'password'],
    ['a password of 129 characters', { password: `${'Zq9#xK2!'.repeat(16)}p` }, 'password'],
    ['an empty password', { password: '' }, 'password'],
    ['a common password', { password: 'password123' }, 'password'],
    ['a common password in other case', { password: 'BaseBall1' }, 'password'],
    ['another common password from the list', { password: 'iloveyou' }, 'password'],
  ];

  it.each(cases)('refuses %s', async (_name, override, field) => {
    const before = await countUsers();
    const res = await app.execute(RegisterDocument, { input: { ...newAccount(), ...override } });
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0]!.extensions!.field).toBe(field);
    expect(res.errors![0]!.message).toMatch(new RegExp(field, 'i'));
    expect(res.data).toBeNull();
    expect(await countUsers()).toBe(before);
  });

  it('accepts the boundaries: 8 and 128 character passwords, 3 and 32 character usernames, a 254 character email', async () => {
    const email = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(58)}.io`;
    expect(email).toHaveLength(254);
    const accepted = [
      newAccount({ password: 'Zq9#xK2!' }),
      newAccount({ password: 'Zq9#xK2!'.repeat(16) }),
      newAccount({ username: 'abc' }),
      newAccount({ username: 'a'.repeat(32) }),
      newAccount({ email }),
    ];
    for (const input of accepted) {
      const res = await app.execute(RegisterDocument, { input });
      expect(res.errors, JSON.stringify(input)).toBeUndefined();
    }
  });

  it('counts password length in characters, not UTF-16 units', async () => {
    // 8 emoji are 16 UTF-16 units but 8 characters: accepted; 7 are refused.
    expect(codeOf(await app.execute(RegisterDocument, { input: newAccount({ password: '🦊🐙🦉🐝🦋🐢🦀🐬' }) }))).toBeUndefined();
    const seven = await app.execute(RegisterDocument, { input: newAccount({ password: '🦊🐙🦉🐝🦋🐢🦀' }) });
    expect(codeOf(seven)).toBe('BAD_USER_INPUT');
  });

  it('takes the password exactly as given: surrounding spaces are part of it', async () => {
    const account = newAccount({ password: '  spaced passphrase 42  ' });
    expect((await app.execute(RegisterDocument, { input: account })).errors).toBeUndefined();
    const trimmed = await app.execute(LoginDocument, { input: { identifier: account.email, password: account.password.trim() } });
    expect(codeOf(trimmed)).toBe('INVALID_CREDENTIALS');
    const exact = await app.execute(LoginDocument, { input: { identifier: account.email, password: account.password } });
    expect(exact.errors).toBeUndefined();
  });

  it('refuses a missing required argument with BAD_USER_INPUT before any resolver runs', async () => {
    const res = await app.post({
      query: 'mutation($input: RegisterInput!) { register(input: $input) { ... on AuthPayload { accessToken } } }',
      variables: { input: { email: 'x@example.com' } },
    });
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
  });
});
