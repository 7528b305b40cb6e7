import * as oidc from 'openid-client';
import type { Config } from '../../config.js';
import { OAuthProvider } from './oauth.provider.js';

/** What Tollgate needs from a provider: who the person is, and whether the provider vouches for their email. */
export interface ProviderIdentity {
  providerUserId: string;
  email: string | null;
  emailVerified: boolean;
}

export interface ProviderClient {
  scope: string;
  /** Google is OpenID Connect: it sends a nonce and an ID token to verify. */
  oidc: boolean;
  config: oidc.Configuration;
  /** After the code exchange: the identity, from the verified ID token or the provider's API. */
  identity(tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>): Promise<ProviderIdentity>;
}

/**
 * openid-client does the protocol: PKCE, state and (for Google) the ID token's signature, issuer,
 * audience, expiry and nonce. Endpoints come from configuration so tests can use a local server;
 * plain http is allowed only for such loopback endpoints.
 */
export function createProviderClients(config: Config['oauth']): Partial<Record<OAuthProvider, ProviderClient>> {
  const clients: Partial<Record<OAuthProvider, ProviderClient>> = {};
  const { google, github } = config;
  if (google) {
    const configuration = new oidc.Configuration(
      {
        issuer: google.issuer,
        authorization_endpoint: google.authorizationUrl,
        token_endpoint: google.tokenUrl,
        jwks_uri: google.jwksUrl,
      },
      google.clientId,
      google.clientSecret,
    );
    allowLoopbackHttp(configuration, [google.issuer, google.authorizationUrl, google.tokenUrl, google.jwksUrl]);
    // By default an ID token fetched from the token endpoint is trusted on TLS alone; verify its
    // signature against the provider's JWKS as well, so a tampered token is refused whatever the transport.
    oidc.enableNonRepudiationChecks(configuration);
    clients[OAuthProvider.GOOGLE] = {
      scope: 'openid email profile',
      oidc: true,
      config: configuration,
      async identity(tokens) {
        const claims = tokens.claims();
        if (!claims) throw new Error('no ID token');
        return {
          providerUserId: claims.sub,
          email: typeof claims.email === 'string' ? claims.email : null,
          emailVerified: claims.email_verified === true,
        };
      },
    };
  }
  if (github) {
    const configuration = new oidc.Configuration(
      { issuer: 'https://github.com', authorization_endpoint: github.authorizationUrl, token_endpoint: github.tokenUrl },
      github.clientId,
      github.clientSecret,
    );
    allowLoopbackHttp(configuration, [github.authorizationUrl, github.tokenUrl, github.apiUrl]);
    const api = (path: string, accessToken: string) =>
      oidc.fetchProtectedResource(
        configuration,
        accessToken,
        new URL(path, `${github.apiUrl.replace(/\/$/, '')}/`),
        'GET',
        undefined,
        new Headers({ accept: 'application/vnd.github+json' }),
      );
    clients[OAuthProvider.GITHUB] = {
      scope: 'read:user user:email',
      oidc: false,
      config: configuration,
      async identity(tokens) {
        const user = (await (await api('user', tokens.access_token)).json()) as { id?: number | string };
        if (user.id === undefined) throw new Error('GitHub returned no user id');
        // GitHub's profile email may be unverified or hidden; only the verified primary address counts.
        const emails = (await (await api('user/emails', tokens.access_token)).json()) as {
          email: string;
          primary: boolean;
          verified: boolean;
        }[];
        const primary = Array.isArray(emails) ? emails.find((e) => e.primary) : undefined;
        return { providerUserId: String(user.id), email: primary?.email ?? null, emailVerified: primary?.verified === true };
      },
    };
  }
  return clients;
}

function allowLoopbackHttp(configuration: oidc.Configuration, urls: string[]) {
  const http = urls.filter((u) => new URL(u).protocol === 'http:');
  if (http.length === 0) return;
  const loopback = http.every((u) => ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(u).hostname));
  if (!loopback) throw new Error(`OAuth endpoints must use https (got ${http.join(', ')})`);
  oidc.allowInsecureRequests(configuration);
}
