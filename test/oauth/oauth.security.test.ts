import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CompleteOAuthDocument,
  LoginDocument,
  MeDocument,
  MyLinkedProvidersDocument,
  MySecurityEventsDocument,
  StartOAuthDocument,
  UnlinkOAuthDocument,
  type OAuthProvider,
} from '../../src/client/generated/graphql.js';
import { codeOf } from '../helpers/graphql.js';
import { authorize, startGitHubStub, startGoogleMock } from '../helpers/oauth-providers.js';
import { createTestApp, signUp, type TestApp } from '../helpers/test-app.js';

const REDIRECT = 'http://localhost:5173/auth/callback';
let app: TestApp;
let google: Awaited<ReturnType<typeof startGoogleMock>>;
let github: Awaited<ReturnType<typeof startGitHubStub>>;

beforeAll(async () => {
  google = await startGoogleMock();
  github = await startGitHubStub();
  app = await createTestApp({ ...google.env, ...github.env, OAUTH_REDIRECT_URIS: `${REDIRECT},https://app.example.com/cb` });
});
afterAll(async () => {
  await google.stop();
  await github.stop();
});

let n = 0;
const unique = () => `${process.pid}-${Date.now().toString(36)}-${n++}`;

const start = (provider: OAuthProvider, token?: string, redirectUri = REDIRECT) =>
  app.execute(StartOAuthDocument, { provider, redirectUri }, { token });
const complete = (provider: OAuthProvider, code: string, state: string, binding: string) =>
  app.execute(CompleteOAuthDocument, { provider, code, state, binding });

/** The whole browser round trip: start, the provider's consent redirect, then completeOAuth. */
async function signInWith(provider: OAuthProvider, options: { token?: string } = {}) {
  const started = await start(provider, options.token);
  expect(started.errors).toBeUndefined();
  const { authorizationUrl, state, binding } = started.data!.startOAuth;
  const back = await authorize(authorizationUrl);
  expect(back.state).toBe(state);
  return app.execute(CompleteOAuthDocument, { provider, code: back.code, state: back.state, binding }, { token: options.token });
}

const googleIdentity = (email: string, verified = true) =>
  google.nextIdentity({ sub: `g-${unique()}`, email, email_verified: verified });
const githubIdentity = (email: string, verified = true) =>
  github.nextIdentity({ id: Math.floor(Math.random() * 1e9), login: `octo${n}`, emails: [{ email, primary: true, verified }] });
const linked = async (token: string) => (await app.execute(MyLinkedProvidersDocument, {}, { token })).data!.me.linkedProviders;

describe('signing in with a provider', () => {
  it('creates a user on first sign-in, and signs the same user in next time', async () => {
    const email = `new.${unique()}@gmail.test`;
    const sub = `g-${unique()}`;
    google.nextIdentity({ sub, email, email_verified: true });
    const first = await signInWith('GOOGLE');
    expect(first.errors).toBeUndefined();
    const user = first.data!.completeOAuth.user;
    expect(user).toMatchObject({ email, username: null, tier: 'FREE', emailVerified: true });
    expect((await app.execute(MeDocument, {}, { token: first.data!.completeOAuth.accessToken })).data?.me.id).toBe(user.id);
    expect(await linked(first.data!.completeOAuth.accessToken)).toEqual(['GOOGLE']);
    const events = (
      await app.execute(MySecurityEventsDocument, {}, { token: first.data!.completeOAuth.accessToken })
    ).data!.me.securityEvents.map((e) => e.type);
    expect(events).toEqual(expect.arrayContaining(['REGISTERED', 'OAUTH_LINKED', 'OAUTH_LOGIN']));

    google.nextIdentity({ sub, email, email_verified: true });
    const again = await signInWith('GOOGLE');
    expect(again.data!.completeOAuth.user.id).toBe(user.id);
    const [{ count }] = (await app.orm.em
      .getConnection()
      .execute<{ count: string }[]>('select count(*) from app_user where email = ?', [email])) as [{ count: string }];
    expect(count).toBe('1');
  });

  it('links to an existing account a provider created when another vouches for the address (GitHub, verified primary)', async () => {
    const email = `made.by.google.${unique()}@gmail.test`;
    googleIdentity(email);
    const created = (await signInWith('GOOGLE')).data!.completeOAuth;
    githubIdentity(email.toUpperCase());
    const res = await signInWith('GITHUB');
    expect(res.errors).toBeUndefined();
    expect(res.data!.completeOAuth.user.id).toBe(created.user.id);
    expect(await linked(res.data!.completeOAuth.accessToken)).toEqual(['GITHUB', 'GOOGLE']);
  });

  it('never links automatically into an account that has a password, even a verified one', async () => {
    const existing = await signUp(app);
    await app.orm.em.getConnection().execute('update app_user set email_verified = true where id = ?', [existing.user.id]);
    githubIdentity(existing.account.email.toUpperCase());
    const res = await signInWith('GITHUB');
    expect(codeOf(res)).toBe('OAUTH_ACCOUNT_EXISTS');
    expect(await linked(existing.accessToken)).toEqual([]);
    // The owner signs in and links explicitly.
    githubIdentity(existing.account.email);
    const explicit = await signInWith('GITHUB', { token: existing.accessToken });
    expect(explicit.data!.completeOAuth.user.id).toBe(existing.user.id);
    expect(await linked(existing.accessToken)).toEqual(['GITHUB']);
  });

  it('refuses to link on an unverified email, and says to sign in with the password first', async () => {
    const existing = await signUp(app);
    googleIdentity(existing.account.email, false);
    const res = await signInWith('GOOGLE');
    expect(codeOf(res)).toBe('OAUTH_ACCOUNT_EXISTS');
    expect(res.data).toBeNull();
    expect(await linked(existing.accessToken)).toEqual([]);
  });

  it('refuses to create an account on an unverified email', async () => {
    githubIdentity(`unverified.${unique()}@example.com`, false);
    expect(codeOf(await signInWith('GITHUB'))).toBe('OAUTH_FAILED');
  });

  it('links to the signed-in caller when they start the flow, whatever the provider’s email', async () => {
    const me = await signUp(app);
    googleIdentity(`someone.else.${unique()}@gmail.test`);
    const res = await signInWith('GOOGLE', { token: me.accessToken });
    expect(res.data!.completeOAuth.user.id).toBe(me.user.id);
    expect(await linked(me.accessToken)).toEqual(['GOOGLE']);
  });

  it('refuses a password login for an account that has no password', async () => {
    const email = `nopass.${unique()}@gmail.test`;
    googleIdentity(email);
    expect((await signInWith('GOOGLE')).errors).toBeUndefined();
    const res = await app.execute(LoginDocument, { input: { identifier: email, password: 'any password at all' } });
    expect(codeOf(res)).toBe('INVALID_CREDENTIALS');
  });
});

describe('the state, PKCE and the ID token', () => {
  it('refuse a replayed state', async () => {
    googleIdentity(`replay.${unique()}@gmail.test`);
    const started = (await start('GOOGLE')).data!.startOAuth;
    const back = await authorize(started.authorizationUrl);
    expect((await complete('GOOGLE', back.code, back.state, started.binding)).errors).toBeUndefined();
    expect(codeOf(await complete('GOOGLE', back.code, back.state, started.binding))).toBe('OAUTH_FAILED');
  });

  it('refuse a state from another flow: another provider’s, or another sign-in’s code', async () => {
    const forGitHub = (await start('GITHUB')).data!.startOAuth;
    githubIdentity(`cross.${unique()}@example.com`);
    const ghBack = await authorize(forGitHub.authorizationUrl);
    expect(codeOf(await complete('GOOGLE', ghBack.code, ghBack.state, forGitHub.binding))).toBe('OAUTH_FAILED');

    const flowA = (await start('GOOGLE')).data!.startOAuth;
    const flowB = (await start('GOOGLE')).data!.startOAuth;
    googleIdentity(`cross.${unique()}@gmail.test`);
    const codeB = (await authorize(flowB.authorizationUrl)).code;
    // Flow A's state with flow B's code: B's PKCE challenge and nonce do not match A's.
    expect(codeOf(await complete('GOOGLE', codeB, flowA.state, flowA.binding))).toBe('OAUTH_FAILED');
  });

  it('refuse a redirect URI that is not on the allowlist', async () => {
    const res = await start('GOOGLE', undefined, 'https://evil.example/cb');
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0]!.extensions!.field).toBe('redirectUri');
  });

  it('fail when the PKCE verifier is missing or not the one the flow began with', async () => {
    for (const verifier of ['', 'x'.repeat(43)]) {
      const started = (await start('GITHUB')).data!.startOAuth;
      githubIdentity(`pkce.${unique()}@example.com`);
      const back = await authorize(started.authorizationUrl);
      await app.orm.em.getConnection().execute('update oauth_state set code_verifier = ?', [verifier]);
      expect(codeOf(await complete('GITHUB', back.code, back.state, started.binding)), `verifier "${verifier.slice(0, 3)}"`).toBe(
        'OAUTH_FAILED',
      );
    }
  });

  it('refuse an expired state', async () => {
    const started = (await start('GOOGLE')).data!.startOAuth;
    googleIdentity(`late.${unique()}@gmail.test`);
    const back = await authorize(started.authorizationUrl);
    app.clock.advance(601_000);
    try {
      expect(codeOf(await complete('GOOGLE', back.code, back.state, started.binding))).toBe('OAUTH_FAILED');
    } finally {
      app.clock.advance(-601_000);
    }
  });

  it('refuse a tampered ID token, and one for another audience or with another nonce', async () => {
    const tamper = [
      () =>
        google.server.service.once('beforeResponse', (res: { body: { id_token: string } }) => {
          const [h, p, s] = res.body.id_token.split('.');
          const claims = JSON.parse(Buffer.from(p!, 'base64url').toString());
          res.body.id_token = [
            h,
            Buffer.from(JSON.stringify({ ...claims, email: 'victim@gmail.test' })).toString('base64url'),
            s,
          ].join('.');
        }),
      () =>
        google.nextIdentity({
          sub: `g-${unique()}`,
          email: `aud.${unique()}@gmail.test`,
          email_verified: true,
          aud: 'someone-else',
        }),
      () =>
        google.nextIdentity({
          sub: `g-${unique()}`,
          email: `nonce.${unique()}@gmail.test`,
          email_verified: true,
          nonce: 'not-the-one',
        }),
    ];
    for (const [i, arrange] of tamper.entries()) {
      googleIdentity(`tamper.${unique()}@gmail.test`);
      arrange();
      const res = await signInWith('GOOGLE');
      expect(codeOf(res), `case ${i}`).toBe('OAUTH_FAILED');
      google.server.service.removeAllListeners('beforeResponse');
      google.server.service.removeAllListeners('beforeTokenSigning');
    }
  });
});

describe('unlinking', () => {
  it('removes a provider from an account that can still sign in, and refuses the last way to sign in', async () => {
    const withPassword = await signUp(app);
    githubIdentity(`unlink.${unique()}@example.com`);
    expect((await signInWith('GITHUB', { token: withPassword.accessToken })).errors).toBeUndefined();
    expect(await linked(withPassword.accessToken)).toEqual(['GITHUB']);
    expect(
      (await app.execute(UnlinkOAuthDocument, { provider: 'GITHUB' }, { token: withPassword.accessToken })).data?.unlinkOAuth,
    ).toBe(true);
    expect(await linked(withPassword.accessToken)).toEqual([]);
    expect(codeOf(await app.execute(UnlinkOAuthDocument, { provider: 'GITHUB' }, { token: withPassword.accessToken }))).toBe(
      'NOT_FOUND',
    );

    googleIdentity(`only.${unique()}@gmail.test`);
    const googleOnly = (await signInWith('GOOGLE')).data!.completeOAuth;
    const refused = await app.execute(UnlinkOAuthDocument, { provider: 'GOOGLE' }, { token: googleOnly.accessToken });
    expect(codeOf(refused)).toBe('BAD_USER_INPUT');
    expect(await linked(googleOnly.accessToken)).toEqual(['GOOGLE']);
  });
});

describe('a provider without credentials', () => {
  it('is reported as unavailable with a clear code', async () => {
    const bare = await createTestApp({ ...google.env, OAUTH_REDIRECT_URIS: REDIRECT });
    const res = await bare.execute(StartOAuthDocument, { provider: 'GITHUB', redirectUri: REDIRECT });
    expect(codeOf(res)).toBe('OAUTH_PROVIDER_UNAVAILABLE');
    const completed = await bare.execute(CompleteOAuthDocument, { provider: 'GITHUB', code: 'x', state: 'y', binding: 'z' });
    expect(codeOf(completed)).toBe('OAUTH_PROVIDER_UNAVAILABLE');
  });
});
