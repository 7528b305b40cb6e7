import { beforeAll, describe, expect, it } from 'vitest';
import { LoginDocument, RegisterDocument } from '../../src/client/generated/graphql.js';
import type { PasswordHasher } from '../../src/modules/auth/password.hasher.js';
import { createTestApp, newAccount, type TestApp, signedIn } from '../helpers/test-app.js';

let app: TestApp;
const calls: string[] = [];

beforeAll(async () => {
  // Records which argon2 operations each login spends, so "same work" is checked without timing anything.
  app = await createTestApp(
    {},
    {
      hasher: (real): PasswordHasher => ({
        ...real,
        verify: (hash, password) => {
          calls.push('verify');
          return real.verify(hash, password);
        },
        verifyDummy: (password) => {
          calls.push('verify');
          return real.verifyDummy(password);
        },
        hash: (password) => {
          calls.push('hash');
          return real.hash(password);
        },
      }),
    },
  );
});

/** The response as a client sees it, minus the request id that differs on every request. */
function comparable(res: { status: number; raw: string }) {
  const body = JSON.parse(res.raw) as { errors: { extensions: Record<string, unknown> }[] };
  for (const e of body.errors) delete e.extensions.requestId;
  return { status: res.status, body };
}

describe('login does not reveal which accounts exist', () => {
  it('answers an unknown account and a wrong password identically', async () => {
    const account = newAccount();
    await app.execute(RegisterDocument, { input: account });
    const wrongPassword = await app.execute(LoginDocument, {
      input: { identifier: account.email, password: 'not the password 1' },
    });
    const unknownEmail = await app.execute(LoginDocument, {
      input: { identifier: `x${account.email}`, password: 'not the password 1' },
    });
    const unknownUsername = await app.execute(LoginDocument, {
      input: { identifier: 'nobody_here', password: 'not the password 1' },
    });
    expect(wrongPassword.errors![0]!.extensions!.code).toBe('INVALID_CREDENTIALS');
    expect(comparable(unknownEmail)).toEqual(comparable(wrongPassword));
    expect(comparable(unknownUsername)).toEqual(comparable(wrongPassword));
    expect(Object.keys(wrongPassword.errors![0]!.extensions!).sort()).toEqual(['code', 'requestId']);
  });

  it('spends exactly one argon2 verification whether or not the account exists', async () => {
    const account = newAccount();
    await app.execute(RegisterDocument, { input: account });
    for (const identifier of [account.email, 'ghost@example.com', 'ghost_user', 'x'.repeat(300)]) {
      calls.length = 0;
      await app.execute(LoginDocument, { input: { identifier, password: 'not the password 1' } });
      expect(calls, identifier).toEqual(['verify']);
    }
  });

  it('does not update lastLoginAt or open a session on a failed login', async () => {
    const account = newAccount();
    const { data } = await app.execute(RegisterDocument, { input: account });
    await app.execute(LoginDocument, { input: { identifier: account.email, password: 'not the password 1' } });
    const rows = await app.orm.em
      .getConnection()
      .execute<{ last_login_at: Date | null; sessions: string }[]>(
        'select u.last_login_at, (select count(*) from session s where s.user_id = u.id) as sessions ' +
          'from app_user u where u.id = ?',
        [signedIn(data!.register).user.id],
      );
    expect(rows[0]).toEqual({ last_login_at: null, sessions: '1' });
  });
});
