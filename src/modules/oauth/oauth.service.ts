import { createHash, timingSafeEqual } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import * as oidc from 'openid-client';
import type { Clock } from '../../clock.js';
import { pgDate, sqlState, transaction, UNIQUE_VIOLATION } from '../../db/sql.js';
import { badInput, conflict, notFound, oauthAccountExists, oauthFailed, oauthProviderUnavailable } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { AuthService } from '../auth/auth.service.js';
import type { AuthPayload } from '../auth/auth.types.js';
import { canonicalEmail, emailProblem } from '../auth/credentials.rules.js';
import type { ClientInfo } from '../request/client-info.js';
import { SecurityEventType } from '../security-event/security-event.entity.js';
import type { SecurityEvents } from '../security-event/security-event.service.js';
import { Tier } from '../user/tier.js';
import { userStore } from '../user/user.store.js';
import type { UserView } from '../user/user.view.js';
import type { ProviderClient, ProviderIdentity } from './oauth.clients.js';
import type { OAuthProvider } from './oauth.provider.js';
import { oauthStore } from './oauth.store.js';
import { randomText } from '../../random.js';

export interface OAuthRequest {
  em: EntityManager;
  log: Logger;
  client: ClientInfo;
}

/** What the browser that finishes a flow presents: the provider's answer, its own binding, and who is signed in. */
export interface OAuthCompletion {
  code: string;
  state: string;
  binding: string;
  /** The signed-in caller's id, or null. A link flow completes only for the user who started it. */
  callerId: string | null;
}

export interface OAuthService {
  start(
    em: EntityManager,
    provider: OAuthProvider,
    redirectUri: string,
    linkUserId: string | null,
  ): Promise<{ authorizationUrl: string; state: string; binding: string }>;
  complete(req: OAuthRequest, provider: OAuthProvider, completion: OAuthCompletion): Promise<AuthPayload>;
  unlink(req: OAuthRequest, userId: string, provider: OAuthProvider): Promise<void>;
  linkedProviders(em: EntityManager, userId: string): Promise<OAuthProvider[]>;
}

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const sameHash = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

export function createOAuthService(deps: {
  clients: Partial<Record<OAuthProvider, ProviderClient>>;
  redirectUris: readonly string[];
  stateTtlSeconds: number;
  auth: AuthService;
  events: SecurityEvents;
  clock: Clock;
}): OAuthService {
  const { clients, redirectUris, stateTtlSeconds, auth, events, clock } = deps;

  const clientFor = (provider: OAuthProvider) => {
    const client = clients[provider];
    if (!client) {
      throw oauthProviderUnavailable(provider);
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
  ): Promise<UserView> {
    const now = clock();
    const linkedTo = await oauthStore.linkedUserId(tx, provider, identity.providerUserId);
    const link = async (user: UserView) => {
      await oauthStore.link(tx, { provider, providerUserId: identity.providerUserId, userId: user.id, at: now });
      await events.record(tx, { userId: user.id, type: SecurityEventType.OAUTH_LINKED, client });
    };
    if (linkUserId) {
      if (linkedTo && linkedTo !== linkUserId) throw conflict('provider', `That ${provider} account is linked to another user.`);
      const user = await userStore.findById(tx, linkUserId);
      if (!user) throw new Error(`the user ${linkUserId} who started linking no longer exists`);
      if (!linkedTo) await link(user);
      return user;
    }
    const linkedUser = linkedTo && (await userStore.findById(tx, linkedTo));
    if (linkedUser) return linkedUser;

    const email = identity.email ? canonicalEmail(identity.email) : '';
    if (emailProblem(email)) throw oauthFailed(`${provider} did not share a usable email address.`);
    const owner = await userStore.findByEmail(tx, email);
    // Never into an account that has a password: anyone can register someone else's address here with a
    // password of their choosing, and one click on that sign-up's verification mail (by the owner, or a
    // link scanner) verifies it; a link would then put the owner's sign-in into the squatter's account. The
    // owner signs in (or resets the password by mail, which ends everything the squatter holds) and links
    // explicitly. Automatic links stay only for accounts a provider created, whose address a provider vouched for.
    if (owner && (!identity.emailVerified || !owner.emailVerified || (await userStore.hasPassword(tx, owner.id)))) {
      throw oauthAccountExists(provider);
    }
    if (owner) {
      await link(owner);
      return owner;
    }
    if (!identity.emailVerified) throw oauthFailed(`${provider} has not verified this email address.`);
    const user = await userStore.insert(tx, {
      email,
      username: null,
      passwordHash: null,
      emailVerified: true, // the provider vouched for it, checked just above
      tier: Tier.FREE,
      createdAt: now,
    });
    await events.record(tx, { userId: user.id, type: SecurityEventType.REGISTERED, client });
    await link(user);
    return user;
  }

  return {
    async start(em, provider, redirectUri, linkUserId) {
      const client = clientFor(provider);
      if (!redirectUris.includes(redirectUri)) throw badInput('redirectUri', 'redirectUri is not on this server’s allowlist.');
      const state = randomText(32, 'base64url');
      // Kept by the browser that started the flow (sessionStorage) and never sent to the provider: a
      // provider URL or callback handed to someone else cannot be finished without it.
      const binding = randomText(32, 'base64url');
      const codeVerifier = oidc.randomPKCECodeVerifier();
      const nonce = oidc.randomNonce();
      await oauthStore.insertState(em, {
        stateHash: sha256(state),
        bindingHash: sha256(binding),
        provider,
        codeVerifier,
        nonce,
        redirectUri,
        linkUserId,
        expiresAt: new Date(clock().getTime() + stateTtlSeconds * 1000),
      });
      const url = oidc.buildAuthorizationUrl(client.config, {
        redirect_uri: redirectUri,
        scope: client.scope,
        state,
        code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
        ...(client.oidc ? { nonce } : {}),
      });
      return { authorizationUrl: url.href, state, binding };
    },

    async complete({ em, log, client }, provider, { code, state, binding, callerId }) {
      const providerClient = clientFor(provider);
      const row = await oauthStore.takeState(em, sha256(state));
      if (!row || row.provider !== provider || pgDate(row.expires_at) <= clock()) {
        log.info({ event: 'oauth', provider, outcome: 'bad_state' }, 'oauth refused');
        throw oauthFailed('This sign-in is unknown, already used or expired; start again.');
      }
      // Consumed either way: a flow finished from the wrong browser or by the wrong user is spent, not retried.
      const wrongBrowser = !sameHash(row.binding_hash, sha256(binding));
      const wrongUser = row.link_user_id !== null && row.link_user_id !== callerId;
      if (wrongBrowser || wrongUser) {
        log.warn({ event: 'oauth', provider, outcome: wrongBrowser ? 'wrong_binding' : 'wrong_user' }, 'oauth refused');
        throw oauthFailed('This sign-in was started elsewhere; start again.');
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
        throw oauthFailed(`${provider} did not confirm this sign-in.`);
      }
      let user: UserView;
      try {
        user = await transaction(em, (tx) => resolveUser(tx, provider, identity, row.link_user_id, client));
      } catch (error) {
        if (sqlState(error) === UNIQUE_VIOLATION) throw conflict('provider', `Another ${provider} account is already linked.`);
        throw error;
      }
      log.info(
        { event: 'oauth', provider, outcome: 'success', userId: user.id, linked: row.link_user_id !== null },
        'oauth sign-in',
      );
      return auth.signIn(em, user, client, SecurityEventType.OAUTH_LOGIN);
    },

    async unlink({ em, client }, userId, provider) {
      const providers = await oauthStore.providersOf(em, userId);
      if (!providers.includes(provider)) throw notFound('provider', `No ${provider} account is linked.`);
      if (providers.length === 1 && !(await userStore.hasPassword(em, userId))) {
        throw badInput('provider', 'This is your only way to sign in; link another provider first.');
      }
      await transaction(em, async (tx) => {
        await oauthStore.unlink(tx, userId, provider);
        await events.record(tx, { userId, type: SecurityEventType.OAUTH_UNLINKED, client });
      });
    },

    linkedProviders: (em, userId) => oauthStore.providersOf(em, userId),
  };
}
