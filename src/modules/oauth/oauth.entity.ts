import { randomUUID } from 'node:crypto';
import { Entity, Enum, ManyToOne, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { User } from '../user/user.entity.js';
import { OAuthProvider } from './oauth.provider.js';

/** A provider identity (provider + its user id) belonging to one Tollgate user. */
@Entity({ tableName: 'oauth_account' })
@Unique({ name: 'oauth_account_identity_unique', properties: ['provider', 'providerUserId'] })
@Unique({ name: 'oauth_account_user_provider_unique', properties: ['user', 'provider'] })
export class OAuthAccount {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Enum({ items: () => OAuthProvider, type: 'string' })
  provider!: OAuthProvider;

  @Property({ type: 'string', length: 255 })
  providerUserId!: string;

  @ManyToOne({ entity: () => User, deleteRule: 'cascade', index: 'oauth_account_user_idx' })
  user!: User;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt!: Date;
}

/**
 * One started sign-in: single use, short-lived, bound to its PKCE verifier, nonce and redirect URI,
 * kept in Postgres so whichever instance receives the callback can finish it. The state itself is
 * stored only as a hash.
 */
@Entity({ tableName: 'oauth_state' })
export class OAuthState {
  @PrimaryKey({ type: 'string', length: 64 })
  stateHash!: string;

  /** The hash of the binding value only the starting browser holds. */
  @Property({ type: 'string', length: 64 })
  bindingHash!: string;

  @Enum({ items: () => OAuthProvider, type: 'string' })
  provider!: OAuthProvider;

  @Property({ type: 'string', length: 128 })
  codeVerifier!: string;

  @Property({ type: 'string', length: 128 })
  nonce!: string;

  @Property({ type: 'string', length: 2048 })
  redirectUri!: string;

  /** Set when a signed-in user started the flow: the identity is linked to them. */
  @Property({ type: 'uuid', nullable: true })
  linkUserId: string | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  expiresAt!: Date;
}
