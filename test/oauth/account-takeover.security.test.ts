import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CompleteOAuthDocument,
  LoginDocument,
  MyLinkedProvidersDocument,
  RegisterDocument,
  StartOAuthDocument,
  VerifyEmailDocument,
} from '../../src/client/generated/graphql.js';
import { codeOf } from '../helpers/graphql.js';
import { authorize, startGitHubStub } from '../helpers/oauth-providers.js';
import { startSmtpServer, tokenIn } from '../helpers/smtp.js';
import { createTestApp, newAccount, signUp, type TestApp } from '../helpers/test-app.js';

const REDIRECT = 'http://localhost:5173/auth/callback';
let app: TestApp;
let github: Awaited<ReturnType<typeof startGitHubStub>>;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;

beforeAll(async () => {
  github = await startGitHubStub();
  smtp = await startSmtpServer();
  app = await createTestApp({ ...github.env, OAUTH_REDIRECT_URIS: REDIRECT, SMTP_URL: smtp.url, NOTIFY_NEW_SIGN_IN: 'false' });
});
afterAll(async () => {
  await github.stop();
  await smtp.stop();
});

let n = 0;
const githubPerson = (email: string) =>
  github.nextIdentity({ id: 7_000_000 + n++, login: `person${n}`, emails: [{ email, primary: true, verified: true }] });
const linked = async (token: string) => (await app.execute(MyLinkedProvidersDocument, {}, { token })).data?.me.linkedProviders;

async function startFlow(token?: string) {
  const started = await app.execute(StartOAuthDocument, { provider: 'GITHUB', redirectUri: REDIRECT }, { token });
  expect(started.errors).toBeUndefined();
  return started.data!.startOAuth;
}

describe('pre-registration takeover', () => {
  it('an attacker who registered the victim’s address never shares an account with the victim', async () => {
    const planted = newAccount({ email: `victim.${process.pid}.${Date.now()}@corp.example` });
    const attacker = await app.execute(RegisterDocument, { input: planted });
    expect(attacker.errors).toBeUndefined();

    // Later the victim signs in with GitHub, which vouches for the address.
    githubPerson(planted.email);
    const flow = await startFlow();
    const back = await authorize(flow.authorizationUrl);
    const victim = await app.execute(CompleteOAuthDocument, {
      provider: 'GITHUB',
      code: back.code,
      state: back.state,
      binding: flow.binding,
    });
    expect(codeOf(victim)).toBe('OAUTH_ACCOUNT_EXISTS');

    // The attacker's password still works, and their account gained no link to the victim's GitHub.
    const login = await app.execute(LoginDocument, { input: { identifier: planted.email, password: planted.password } });
    expect(await linked(login.data!.login.accessToken)).toEqual([]);
  });
});

describe('pre-account takeover with one click (issue 25, point 3)', () => {
  it('the victim confirming the squatter’s sign-up mail does not let GitHub link into the squatter’s account', async () => {
    const planted = newAccount({ email: `clicker.${process.pid}.${Date.now()}@corp.example` });
    expect((await app.execute(RegisterDocument, { input: planted })).errors).toBeUndefined();
    // The squatter's sign-up mailed the victim; the victim (or a link scanner) clicks it.
    const mail = await smtp.waitFor((m) => m.to === planted.email && m.subject === 'Confirm your email address');
    expect(mail.text).toContain('If you did not sign up, ignore this mail: nothing happens.');
    expect((await app.execute(VerifyEmailDocument, { token: tokenIn(mail) })).errors).toBeUndefined();

    githubPerson(planted.email);
    const flow = await startFlow();
    const back = await authorize(flow.authorizationUrl);
    const victim = await app.execute(CompleteOAuthDocument, {
      provider: 'GITHUB',
      code: back.code,
      state: back.state,
      binding: flow.binding,
    });
    expect(codeOf(victim)).toBe('OAUTH_ACCOUNT_EXISTS');
    const login = await app.execute(LoginDocument, { input: { identifier: planted.email, password: planted.password } });
    expect(await linked(login.data!.login.accessToken)).toEqual([]);
  });
});

describe('link and login CSRF', () => {
  it('a link flow started by one user finishes only with that user’s token, in the browser that started it', async () => {
    const attacker = await signUp(app);
    const victim = await signUp(app);
    const attempts = [
      { who: 'the victim, signed in', token: victim.accessToken, binding: (b: string) => b },
      { who: 'the victim, signed out', token: undefined, binding: (b: string) => b },
      { who: 'another browser of the starter', token: attacker.accessToken, binding: () => 'not-the-binding' },
    ];
    for (const attempt of attempts) {
      const flow = await startFlow(attacker.accessToken);
      // The attacker hands the provider URL to the victim, who consents with their own GitHub.
      githubPerson(`gh.${n}.${process.pid}@victim.example`);
      const back = await authorize(flow.authorizationUrl);
      const res = await app.execute(
        CompleteOAuthDocument,
        { provider: 'GITHUB', code: back.code, state: back.state, binding: attempt.binding(flow.binding) },
        { token: attempt.token },
      );
      expect(codeOf(res), attempt.who).toBe('OAUTH_FAILED');
    }
    expect(await linked(attacker.accessToken)).toEqual([]);
    expect(await linked(victim.accessToken)).toEqual([]);

    // The starter, in their own browser, links as intended.
    const flow = await startFlow(attacker.accessToken);
    githubPerson(`gh.${n}.${process.pid}@attacker.example`);
    const back = await authorize(flow.authorizationUrl);
    const own = await app.execute(
      CompleteOAuthDocument,
      { provider: 'GITHUB', code: back.code, state: back.state, binding: flow.binding },
      { token: attacker.accessToken },
    );
    expect(own.errors).toBeUndefined();
    expect(await linked(attacker.accessToken)).toEqual(['GITHUB']);
  });

  it('a callback from a sign-in the attacker started cannot sign the victim’s browser in', async () => {
    const flow = await startFlow();
    githubPerson(`gh.${n}.${process.pid}@attacker.example`);
    const back = await authorize(flow.authorizationUrl);
    // The victim's browser holds no binding for this state (or another flow's binding).
    const victimsOwnFlow = await startFlow();
    const res = await app.execute(CompleteOAuthDocument, {
      provider: 'GITHUB',
      code: back.code,
      state: back.state,
      binding: victimsOwnFlow.binding,
    });
    expect(codeOf(res)).toBe('OAUTH_FAILED');
  });
});
