import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ChangePasswordDocument,
  DeleteAccountDocument,
  LoginDocument,
  MeDocument,
  RequestEmailChangeDocument,
} from '../../src/client/generated/graphql.js';
import { codeOf } from '../helpers/graphql.js';
import { startSmtpServer } from '../helpers/smtp.js';
import { createTestApp, signUp, type TestApp } from '../helpers/test-app.js';

// Issue 25, point 6: `currentPassword` was a guessing oracle outside the failure budgets, recorded nowhere.

let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
beforeAll(async () => {
  smtp = await startSmtpServer();
});
afterAll(() => smtp.stop());

const wrongTries = (app: TestApp, token: string) => [
  () => app.execute(ChangePasswordDocument, { currentPassword: 'guess one 111', newPassword: 'whatever comes 1' }, { token }),
  () => app.execute(DeleteAccountDocument, { currentPassword: 'guess two 222' }, { token }),
  () => app.execute(RequestEmailChangeDocument, { newEmail: 'mine@evil.example', currentPassword: 'guess three 3' }, { token }),
  () => app.execute(ChangePasswordDocument, { currentPassword: 'guess four 444', newPassword: 'whatever comes 1' }, { token }),
  () => app.execute(DeleteAccountDocument, { currentPassword: 'guess five 555' }, { token }),
];

const eventTypes = async (app: TestApp, userId: string) =>
  (
    await app.orm.em
      .getConnection()
      .execute<{ type: string }[]>('select type from security_event where user_id = ? order by at', [userId])
  ).map((r) => r.type);

describe('re-authentication with the current password', () => {
  it('records every wrong try and ends the session that sent five of them', async () => {
    const app = await createTestApp({ SMTP_URL: smtp.url, NOTIFY_NEW_SIGN_IN: 'false' });
    const owner = await signUp(app);
    const stolen = (
      await app.execute(LoginDocument, { input: { identifier: owner.account.email, password: owner.account.password } })
    ).data!.login;
    for (const attempt of wrongTries(app, stolen.accessToken)) expect(codeOf(await attempt())).toBe('INVALID_CREDENTIALS');
    expect((await eventTypes(app, owner.user.id)).filter((t) => t === 'REAUTH_FAILED')).toHaveLength(5);
    // The session that guessed is over; the owner's own is not.
    expect(codeOf(await app.execute(MeDocument, {}, { token: stolen.accessToken }))).toBe('UNAUTHENTICATED');
    expect((await app.execute(MeDocument, {}, { token: owner.accessToken })).errors).toBeUndefined();
  });

  it('spends the account’s login failure budget: guesses there and at sign-in add up', async () => {
    const app = await createTestApp({
      SMTP_URL: smtp.url,
      NOTIFY_NEW_SIGN_IN: 'false',
      LOGIN_FAILURE_LIMITS: JSON.stringify({ identifier: { points: 3, windowSeconds: 3600 } }),
    });
    const owner = await signUp(app);
    const tries = wrongTries(app, owner.accessToken);
    for (const attempt of tries.slice(0, 3)) expect(codeOf(await attempt())).toBe('INVALID_CREDENTIALS');
    // The fourth guess is refused before any password work, and so is a token-less sign-in to the account.
    expect(codeOf(await tries[3]!())).toBe('RATE_LIMITED');
    const signIn = await app.execute(LoginDocument, { input: { identifier: owner.account.email, password: 'guess six 666' } });
    expect(codeOf(signIn)).toBe('RATE_LIMITED');
    // The owner's known device still signs in (its own budget).
    const mine = await app.execute(LoginDocument, {
      input: { identifier: owner.account.email, password: owner.account.password, deviceToken: owner.deviceToken },
    });
    expect(mine.errors).toBeUndefined();
  });

  it('gives back what a right password spent', async () => {
    const app = await createTestApp({
      SMTP_URL: smtp.url,
      NOTIFY_NEW_SIGN_IN: 'false',
      LOGIN_FAILURE_LIMITS: JSON.stringify({ identifier: { points: 2, windowSeconds: 3600 } }),
    });
    const owner = await signUp(app);
    for (let i = 0; i < 3; i++) {
      const res = await app.execute(
        RequestEmailChangeDocument,
        { newEmail: `new.${i}.${owner.user.id.slice(0, 6)}@example.net`, currentPassword: owner.account.password },
        { token: owner.accessToken },
      );
      expect(res.errors).toBeUndefined();
    }
  });
});
