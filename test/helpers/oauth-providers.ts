import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OAuth2Server } from 'oauth2-mock-server';

/** Google's side: a real OpenID Connect server on loopback (oauth2-mock-server), never Google itself. */
export async function startGoogleMock() {
  const server = new OAuth2Server();
  await server.issuer.keys.generate('RS256');
  await server.start(0, '127.0.0.1');
  const issuer = server.issuer.url as string;
  return {
    issuer,
    server,
    env: {
      GOOGLE_CLIENT_ID: 'tollgate-test-client',
      GOOGLE_CLIENT_SECRET: 'tollgate-test-secret',
      GOOGLE_ISSUER: issuer,
      GOOGLE_AUTHORIZATION_URL: `${issuer}/authorize`,
      GOOGLE_TOKEN_URL: `${issuer}/token`,
      GOOGLE_JWKS_URL: `${issuer}/jwks`,
    },
    /** The claims of the next ID token the server signs. */
    nextIdentity(claims: { sub: string; email?: string; email_verified?: boolean; [k: string]: unknown }) {
      // The server signs an access token and an ID token per response: both carry the claims.
      const apply = (token: { payload: Record<string, unknown> }) => Object.assign(token.payload, claims);
      server.service.on('beforeTokenSigning', apply);
      server.service.once('beforeResponse', () => server.service.off('beforeTokenSigning', apply));
    },
    stop: () => server.stop(),
  };
}

interface GitHubUser {
  id: number;
  login: string;
  emails: { email: string; primary: boolean; verified: boolean }[];
}

/** GitHub's side: a small stub of its authorize, token and REST endpoints, enforcing PKCE (S256). */
export async function startGitHubStub() {
  const codes = new Map<string, { challenge: string; redirectUri: string; user: GitHubUser }>();
  const tokens = new Map<string, GitHubUser>();
  let next: GitHubUser = { id: 1, login: 'octocat', emails: [] };
  const json = (res: import('node:http').ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stub');
    if (req.method === 'GET' && url.pathname === '/login/oauth/authorize') {
      const challenge = url.searchParams.get('code_challenge');
      if (!challenge || url.searchParams.get('code_challenge_method') !== 'S256')
        return json(res, 400, { error: 'pkce required' });
      const code = randomBytes(12).toString('hex');
      const redirectUri = url.searchParams.get('redirect_uri') ?? '';
      codes.set(code, { challenge, redirectUri, user: next });
      const target = new URL(redirectUri);
      target.searchParams.set('code', code);
      target.searchParams.set('state', url.searchParams.get('state') ?? '');
      res.writeHead(302, { location: target.href });
      return res.end();
    }
    if (req.method === 'POST' && url.pathname === '/login/oauth/access_token') {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        const form = new URLSearchParams(body);
        const grant = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? '');
        const verifier = form.get('code_verifier');
        const expected = verifier ? createHash('sha256').update(verifier).digest('base64url') : null;
        if (!grant || !verifier || expected !== grant.challenge || form.get('redirect_uri') !== grant.redirectUri) {
          return json(res, 400, { error: 'invalid_grant' });
        }
        const accessToken = randomBytes(16).toString('hex');
        tokens.set(accessToken, grant.user);
        json(res, 200, { access_token: accessToken, token_type: 'bearer', scope: 'read:user,user:email' });
      });
      return;
    }
    const user = tokens.get((req.headers.authorization ?? '').replace(/^Bearer /i, ''));
    if (!user) return json(res, 401, { message: 'Bad credentials' });
    if (url.pathname === '/user') return json(res, 200, { id: user.id, login: user.login });
    if (url.pathname === '/user/emails') return json(res, 200, user.emails);
    json(res, 404, { message: 'Not Found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    env: {
      GITHUB_CLIENT_ID: 'tollgate-gh-client',
      GITHUB_CLIENT_SECRET: 'tollgate-gh-secret',
      GITHUB_AUTHORIZATION_URL: `${base}/login/oauth/authorize`,
      GITHUB_TOKEN_URL: `${base}/login/oauth/access_token`,
      GITHUB_API_URL: base,
    },
    nextIdentity(user: GitHubUser) {
      next = user;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Follows an authorization URL the way a browser would, returning the code and state the provider sends back. */
export async function authorize(authorizationUrl: string): Promise<{ code: string; state: string }> {
  const res = await fetch(authorizationUrl, { redirect: 'manual' });
  const location = res.headers.get('location');
  if (!location) throw new Error(`no redirect from ${authorizationUrl}: ${res.status} ${await res.text()}`);
  const back = new URL(location);
  return { code: back.searchParams.get('code') ?? '', state: back.searchParams.get('state') ?? '' };
}
