import { createHash, randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import * as oidc from 'openid-client';
import type { Clock } from '../../clock.js';
import { pgDate, sqlState, UNIQUE_VIOLATION, type PgTime } from '../../db/raw-sql.js';
import { AppError, badInput, conflict, ErrorCode } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { AuthService } from '../auth/auth.service.js';
import type { AuthPayload } from '../auth/auth.types.js';
import { canonicalEmail, emailProblem } from '../auth/credentials.rules.js';
import { SecurityEventType, type RecordEvent } from '../session/security-events.js';
import { userViewOf, type ClientInfo } from '../session/session.service.js';
import { Tier } from '../user/tier.js';
import { User } from '../user/user.entity.js';
import type { ProviderClient, ProviderIdentity } from './oauth.clients.js';
import { OAuthAccount, OAuthState } from './oauth.entity.js';
import type { OAuthProvider } from './oauth.provider.js';

export interface OAuthRequest {
  em: EntityManager;
  log: Logger;
  client: ClientInfo;
}

export interface OAuthService {
  start(
    em: EntityManager,
    provider: OAuthProvider,
    redirectUri: string,
    linkUserId: string | null,
  ): Promise<{ authorizationUrl: string; state: string }>;
  complete(req: OAuthRequest, provider: OAuthProvider, code: string, state: string): Promise<AuthPayload>;
  unlink(req: OAuthRequest, userId: string, provider: OAuthProvider): Promise<void>;
  linkedProviders(em: EntityManager, userId: string): Promise<OAuthProvider[]>;
  purgeExpiredStates(em: EntityManager): Promise<number>;
}

const hashState = (state: string) => createHash('sha256').update(state).digest('hex');
const failed = (message: string) => new AppError(ErrorCode.OAUTH_FAILED, message);

export function createOAuthService(deps: {
  clients: Partial<Record<OAuthProvider, ProviderClient>>;
  redirectUris: readonly string[];
  stateTtlSeconds: number;
  auth: AuthService;
  recordEvent: RecordEvent;
  clock: Clock;
}): OAuthService {
  const { clients, redirectUris, stateTtlSeconds, auth, recordEvent, clock } = deps;

  const clientFor = (provider: OAuthProvider) => {
    const client = clients[provider];
    if (!client) {
      throw new AppError(ErrorCode.OAUTH_PROVIDER_UNAVAILABLE, `Sign-in with ${provider} is not configured on this server.`, {
        provider,
      });
    }
    return client;
  };

  /** Who the identity belongs to, linking or creating as the rules allow. */
  async function resolveUser(
    tx: EntityManager,
    provider: OAuthProvider,
    identity: ProviderIdentity,
    linkUserId: string | null,
    client: ClientInfo,
  ) {
    const now = clock();
    const existing = await tx.findOne(
      OAuthAccount,
      { provider, providerUserId: identity.providerUserId },
      { populate: ['user'] },
    );
    const link = (user: User) => {
      tx.create(OAuthAccount, { provider, providerUserId: identity.providerUserId, user, createdAt: now });
      recordEvent(tx, { user, type: SecurityEventType.OAUTH_LINKED, client });
    };
    if (linkUserId) {
      if (existing && existing.user.id !== linkUserId)
        throw conflict('provider', `That ${provider} account is linked to another user.`);
      const user = await tx.findOneOrFail(User, linkUserId);
      if (!existing) link(user);
      return user;
    }
    if (existing) return existing.user;

    const email = identity.email ? canonicalEmail(identity.email) : '';
    if (emailProblem(email)) throw failed(`${provider} did not share a usable email address.`);
    const owner = await tx.findOne(User, { email });
    // Linking on an address the provider does not vouch for would hand the account to whoever typed it there.
    if (owner && !identity.emailVerified) {
      throw new AppError(
        ErrorCode.OAUTH_ACCOUNT_EXISTS,
        'An account with this email exists. Sign in with your password, then link this provider from there.',
        { provider },
      );
    }
    if (owner) {
      link(owner);
      return owner;
    }
    if (!identity.emailVerified) throw failed(`${provider} has not verified this email address.`);
    const user = tx.create(User, { email, username: null, passwordHash: null, tier: Tier.FREE, createdAt: now });
    recordEvent(tx, { user, type: SecurityEventType.REGISTERED, client });
    link(user);
    return user;
  }

  return {
    async start(em, provider, redirectUri, linkUserId) {
      const client = clientFor(provider);
      if (!redirectUris.includes(redirectUri)) throw badInput('redirectUri', 'redirectUri is not on this server’s allowlist.');
      const state = randomBytes(32).toString('base64url');
      const codeVerifier = oidc.randomPKCECodeVerifier();
      const nonce = oidc.randomNonce();
      em.create(OAuthState, {
        stateHash: hashState(state),
        provider,
        codeVerifier,
        nonce,
        redirectUri,
        linkUserId,
        expiresAt: new Date(clock().getTime() + stateTtlSeconds * 1000),
      });
      await em.flush();
      const url = oidc.buildAuthorizationUrl(client.config, {
        redirect_uri: redirectUri,
        scope: client.scope,
        state,
        code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
        ...(client.oidc ? { nonce } : {}),
      });
      return { authorizationUrl: url.href, state };
    },

    async complete({ em, log, client }, provider, code, state) {
      const providerClient = clientFor(provider);
      // Deleting is what makes the state single-use, even when two callbacks race.
      const [row] = await em.getConnection().execute<
        {
          provider: string;
          code_verifier: string;
          nonce: string;
          redirect_uri: string;
          link_user_id: string | null;
          expires_at: PgTime;
        }[]
      >(
        'delete from oauth_state where state_hash = ? returning provider, code_verifier, nonce, redirect_uri, link_user_id, expires_at',
        [hashState(state)],
      );
      if (!row || row.provider !== provider || pgDate(row.expires_at) <= clock()) {
        log.info({ event: 'oauth', provider, outcome: 'bad_state' }, 'oauth refused');
        throw failed('This sign-in is unknown, already used or expired; start again.');
      }
      const callback = new URL(row.redirect_uri);
      callback.searchParams.set('code', code);
      callback.searchParams.set('state', state);
      let identity: ProviderIdentity;
      try {
        const tokens = await oidc.authorizationCodeGrant(providerClient.config, callback, {
          pkceCodeVerifier: row.code_verifier,
          expectedState: state,
          ...(providerClient.oidc ? { expectedNonce: row.nonce, idTokenExpected: true } : {}),
        });
        identity = await providerClient.identity(tokens);
      } catch (error) {
        log.warn({ event: 'oauth', provider, outcome: 'provider_refused', reason: (error as Error).message }, 'oauth refused');
        throw failed(`${provider} did not confirm this sign-in.`);
      }
      let user: User;
      try {
        user = await em.transactional((tx) => resolveUser(tx, provider, identity, row.link_user_id, client));
      } catch (error) {
        if (sqlState(error) === UNIQUE_VIOLATION) throw conflict('provider', `Another ${provider} account is already linked.`);
        throw error;
      }
      log.info(
        { event: 'oauth', provider, outcome: 'success', userId: user.id, linked: row.link_user_id !== null },
        'oauth sign-in',
      );
      return auth.signIn(em, userViewOf(user), client, SecurityEventType.OAUTH_LOGIN);
    },

    async unlink({ em, client }, userId, provider) {
      const accounts = await em.find(OAuthAccount, { user: userId });
      const target = accounts.find((a) => a.provider === provider);
      if (!target) throw new AppError(ErrorCode.NOT_FOUND, `No ${provider} account is linked.`, { field: 'provider' });
      const user = await em.findOneOrFail(User, userId, { populate: ['passwordHash'] });
      if (user.passwordHash === null && accounts.length === 1) {
        throw badInput('provider', 'This is your only way to sign in; link another provider first.');
      }
      em.remove(target);
      recordEvent(em, { user: userId, type: SecurityEventType.OAUTH_UNLINKED, client });
      await em.flush();
    },

    async linkedProviders(em, userId) {
      const accounts = await em.find(OAuthAccount, { user: userId }, { orderBy: { provider: 'asc' } });
      return accounts.map((a) => a.provider);
    },

    purgeExpiredStates(em) {
      return em.nativeDelete(OAuthState, { expiresAt: { $lte: clock() } });
    },
  };
}
