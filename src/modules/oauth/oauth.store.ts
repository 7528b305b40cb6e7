import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { firstRow, type PgTime, rows, statement } from '../../db/sql.js';
import { OAuthAccount } from './oauth.entity.js';

const PURGE_EXPIRED_STATES = statement<{ now: Date; limit: number }, { n: number }>(`
  with doomed as (select state_hash from oauth_state where expires_at <= :now limit :limit for update skip locked),
  deleted as (delete from oauth_state where state_hash in (select state_hash from doomed) returning 1)
  select count(*)::int as n from deleted`);
import type { OAuthProvider } from './oauth.provider.js';

export interface StateRow {
  provider: string;
  binding_hash: string;
  code_verifier: string;
  nonce: string;
  redirect_uri: string;
  link_user_id: string | null;
  expires_at: PgTime;
}

// Deleting is what makes the state single-use, even when two callbacks race.
const TAKE_STATE = statement<{ stateHash: string }, StateRow>(`
  delete from oauth_state where state_hash = :stateHash
  returning provider, binding_hash, code_verifier, nonce, redirect_uri, link_user_id, expires_at`);

interface NewState {
  stateHash: string;
  bindingHash: string;
  provider: OAuthProvider;
  codeVerifier: string;
  nonce: string;
  redirectUri: string;
  linkUserId: string | null;
  expiresAt: Date;
}

// Plain SQL rather than em.flush: see db/sql.ts `transaction` on why no request path runs the unit of work.
const INSERT_STATE = statement<NewState>(`
  insert into oauth_state (state_hash, binding_hash, provider, code_verifier, nonce, redirect_uri, link_user_id, expires_at)
  values (:stateHash, :bindingHash, :provider, :codeVerifier, :nonce, :redirectUri, :linkUserId, :expiresAt)`);

const LINK = statement<{ id: string; provider: OAuthProvider; providerUserId: string; userId: string; at: Date }>(`
  insert into oauth_account (id, provider, provider_user_id, user_id, created_at)
  values (:id, :provider, :providerUserId, :userId, :at)`);

/** Where oauth_account and oauth_state are read and written. */
export const oauthStore = {
  async insertState(em: EntityManager, state: NewState): Promise<void> {
    await rows(em, INSERT_STATE, state);
  },

  /** Removes the started sign-in and returns it, or undefined when it is unknown or already taken. */
  takeState: (em: EntityManager, stateHash: string) => firstRow(em, TAKE_STATE, { stateHash }),

  /** The Tollgate user a provider identity is linked to, if any. */
  async linkedUserId(em: EntityManager, provider: OAuthProvider, providerUserId: string): Promise<string | null> {
    const account = await em.findOne(OAuthAccount, { provider, providerUserId });
    return account ? account.user.id : null;
  },

  async link(em: EntityManager, link: { provider: OAuthProvider; providerUserId: string; userId: string; at: Date }) {
    await rows(em, LINK, { ...link, id: randomUUID() });
  },

  /** The user's linked providers, alphabetically. */
  async providersOf(em: EntityManager, userId: string): Promise<OAuthProvider[]> {
    const accounts = await em.find(OAuthAccount, { user: userId }, { orderBy: { provider: 'asc' } });
    return accounts.map((a) => a.provider);
  },

  /** Removes the link; false when there was none. */
  async unlink(em: EntityManager, userId: string, provider: OAuthProvider): Promise<boolean> {
    return (await em.nativeDelete(OAuthAccount, { user: userId, provider })) > 0;
  },

  /** Deletes at most `limit` expired states; returns how many. */
  purgeExpiredStates: async (em: EntityManager, now: Date, limit: number) =>
    (await firstRow(em, PURGE_EXPIRED_STATES, { now, limit }))?.n ?? 0,
};
