import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ChangePasswordDocument,
  CompleteOAuthDocument,
  LoginDocument,
  MyAccountDocument,
  RegisterDocument,
  StartOAuthDocument,
  VerifyEmailDocument,
} from '../../src/client/generated/graphql.js';
import { codeOf } from '../helpers/graphql.js';
import { authorize, startGitHubStub } from '../helpers/oauth-providers.js';
import { startSmtpServer, tokenIn } from '../helpers/smtp.js';
import { createTestApp, newAccount, signUp, type TestApp } from '../helpers/test-app.js';

const REDIRECT = 'http://localhost:5173/auth/callback';
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let github: Awaited<ReturnType<typeof startGitHubStub>>;
let app: TestApp;
beforeAll(async () => {
  smtp = await startSmtpServer();
  github = await startGitHubStub();
  app = await createTestApp({ ...github.env, OAUTH_REDIRECT_URIS: REDIRECT, SMTP_URL: smtp.url });
});
afterAll(async () => {
  await smtp.stop();
  await github.stop();
});

let n = 0;
async function signInWithGitHub() {
  const email = `octo.${process.pid}.${Date.now()}.${n++}@github.example`;
  github.nextIdentity({ id: 9_000_000 + n, login: `octo${n}`, emails: [{ email, primary: true, verified: true }] });
  const flow = (await app.execute(StartOAuthDocument, { provider: 'GITHUB', redirectUri: REDIRECT })).data!.startOAuth;
  const back = await authorize(flow.authorizationUrl);
  const done = await app.execute(CompleteOAuthDocument, { provider: 'GITHUB', ...back, binding: flow.binding });
  return { email, ...done.data!.completeOAuth };
}

describe('an account made with GitHub', () => {
  it('sets its first password without one, within ten minutes of signing in', async () => {
    const me = await signInWithGitHub();
    expect((await app.execute(MyAccountDocument, {}, { token: me.accessToken })).data?.me).toMatchObject({
      emailVerified: true,
      hasPassword: false,
    });
    const password = 'my first real passphrase 4';
    const set = await app.execute(ChangePasswordDocument, { newPassword: password }, { token: me.accessToken });
    expect(set.errors).toBeUndefined();
    const fresh = set.data!.changePassword;
    expect((await app.execute(MyAccountDocument, {}, { token: fresh.accessToken })).data?.me.hasPassword).toBe(true);
    expect((await app.execute(LoginDocument, { input: { identifier: me.email, password } })).errors).toBeUndefined();
  });

  it('is asked to sign in again when that sign-in is older than ten minutes', async () => {
    const me = await signInWithGitHub();
    app.clock.advance(11 * 60 * 1000);
    try {
      const res = await app.execute(
        ChangePasswordDocument,
        { newPassword: 'too late a passphrase 5' },
        { token: me.accessToken },
      );
      expect(codeOf(res)).toBe('REAUTHENTICATION_REQUIRED');
    } finally {
      app.clock.advance(-11 * 60 * 1000);
    }
  });
});

describe('new sign-in notices', () => {
  it('tell the owner about a sign-in from a client the account has not used, once per client', async () => {
    const me = await signUp(app);
    const as = (userAgent: string) =>
      app.execute(
        LoginDocument,
        { input: { identifier: me.account.email, password: me.account.password } },
        { headers: { 'user-agent': userAgent } },
      );
    const notices = () => smtp.to(me.account.email).filter((m) => m.subject === 'New sign-in to your account');
    const firefox = 'Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0';
    const safari =
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/26.0 Safari/605.1.15';
    expect((await as(firefox)).errors).toBeUndefined();
    const first = await smtp.waitFor((m) => m.to === me.account.email && m.subject === 'New sign-in to your account');
    expect(first.text).toContain('From Firefox 140 on Linux');
    await as(firefox);
    await as(safari);
    await smtp.waitFor((m) => m.to === me.account.email && m.text.includes('Safari 26 on macOS'));
    expect(notices().map((m) => /Firefox|Safari/.exec(m.text)?.[0])).toEqual(['Firefox', 'Safari']);
  });

  it('summarise the client in a few known words: an attacker’s User-Agent cannot write the mail', async () => {
    const me = await signUp(app);
    const forged = `Mozilla/5.0 Firefox/141.0 - Your account is locked. Call +1 555 0100 or visit https://evil.example/unlock ${'x'.repeat(400)}`;
    await app.execute(
      LoginDocument,
      { input: { identifier: me.account.email, password: me.account.password } },
      { headers: { 'user-agent': forged } },
    );
    const notice = await smtp.waitFor((m) => m.to === me.account.email && m.subject === 'New sign-in to your account');
    for (const text of [notice.text, notice.html]) {
      expect(text).not.toContain('evil.example');
      expect(text).not.toContain('locked');
      expect(text).not.toContain('xxxxxxxx');
    }
    expect(notice.text).toMatch(/From Firefox 141( on an unknown system)? at /);
  });
});

describe('REQUIRE_VERIFIED_EMAIL', () => {
  it('keeps an unverified account out, telling only someone who knows the password', async () => {
    const strict = await createTestApp({ SMTP_URL: smtp.url, REQUIRE_VERIFIED_EMAIL: 'true' });
    const account = newAccount();
    expect(codeOf(await strict.execute(RegisterDocument, { input: account }))).toBe('EMAIL_NOT_VERIFIED');
    const login = (password: string) => strict.execute(LoginDocument, { input: { identifier: account.email, password } });
    expect(codeOf(await login('not the password at all'))).toBe('INVALID_CREDENTIALS');
    await smtp.waitFor((m) => m.to === account.email && m.subject === 'Confirm your email address');
    // The right password, unverified: refused, and a fresh link is sent (the person has no session to ask with).
    expect(codeOf(await login(account.password))).toBe('EMAIL_NOT_VERIFIED');
    await smtp.waitFor((m) => m.to === account.email && smtp.to(account.email).length === 2);
    const token = tokenIn(smtp.to(account.email).at(-1)!);
    expect((await strict.execute(VerifyEmailDocument, { token })).errors).toBeUndefined();
    expect((await login(account.password)).data?.login.user.emailVerified).toBe(true);
  });
});
