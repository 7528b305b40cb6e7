import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { firstRow, statement } from '../../db/sql.js';
import type { Tier } from './tier.js';
import { User } from './user.entity.js';
import { type UserRow, userViewOf, userViewOfRow, type UserView } from './user.view.js';

/** The columns a UserRow needs, from the table under `alias`; for statements that join app_user. */
export const userColumns = (alias: string) =>
  ['id', 'email', 'username', 'email_verified', 'tier', 'created_at', 'last_login_at'].map((c) => `${alias}.${c}`).join(', ');

const RECORD_LOGIN = statement<
  { userId: string; at: Date; verifiedHash: string; rehashedPassword: string | null },
  { id: string }
>(`
  update app_user set last_login_at = :at, password_hash = coalesce(:rehashedPassword::text, password_hash)
  where id = :userId and password_hash = :verifiedHash
  returning id`);

const INSERT = statement<NewUser & { id: string }, UserRow>(`
  insert into app_user (id, email, username, password_hash, email_verified, tier, created_at)
  values (:id, :email, :username, :passwordHash, :emailVerified, :tier, :createdAt)
  returning ${userColumns('app_user')}`);

/** verify-first sign-up: the same one statement whether or not the address is taken (no row back when it is). */
const INSERT_IF_NEW_EMAIL = statement<NewUser & { id: string }, UserRow>(`
  insert into app_user (id, email, username, password_hash, email_verified, tier, created_at)
  values (:id, :email, :username, :passwordHash, :emailVerified, :tier, :createdAt)
  on conflict (email) do nothing
  returning ${userColumns('app_user')}`);
const USERNAME_TAKEN = statement<{ username: string }, { id: string }>('select id from app_user where username = :username');

// Every sign-in reads its account this way: a prepared statement rather than em.findOne, whose query
// building and entity hydration, cold at sign-in rates, took nearly half of a sign-in's main-thread CPU
// (4.9 -> 2.6 ms per login).
type WithPasswordRow = UserRow & { password_hash: string | null; credential_generation: number };
const WITH_PASSWORD_BY_EMAIL = statement<{ email: string }, WithPasswordRow>(`
  select ${userColumns('u')}, u.password_hash, u.credential_generation from app_user u where u.email = :email`);
const WITH_PASSWORD_BY_USERNAME = statement<{ username: string }, WithPasswordRow>(`
  select ${userColumns('u')}, u.password_hash, u.credential_generation from app_user u where u.username = :username`);

const BUMP_GENERATION = statement<{ userId: string }, { credential_generation: number }>(`
  update app_user set credential_generation = credential_generation + 1 where id = :userId
  returning credential_generation`);

const SET_TIER = statement<{ id: string; tier: Tier }, UserRow & { before_tier: Tier }>(`
  with old as (select id, tier from app_user where id = :id for update)
  update app_user u set tier = :tier from old where u.id = old.id
  returning ${userColumns('u')}, old.tier as before_tier`);

export interface NewUser {
  email: string;
  username: string | null;
  passwordHash: string | null;
  emailVerified: boolean;
  tier: Tier;
  createdAt: Date;
}

/** Where app_user is read and written. */
export const userStore = {
  /**
   * Writes the user now; a taken email or username throws the database's unique violation (UNIQUE_VIOLATION,
   * with the constraint's name). Plain SQL, not em.flush: see db/sql.ts `transaction` on why no request
   * path runs MikroORM's unit of work.
   */
  async insert(em: EntityManager, fields: NewUser): Promise<UserView> {
    return userViewOfRow((await firstRow(em, INSERT, { ...fields, id: randomUUID() }))!);
  },

  /**
   * Writes the user unless the email is taken, in which case nothing is written and null comes back: one
   * statement either way. A taken username still throws the unique violation.
   */
  async insertIfNewEmail(em: EntityManager, fields: NewUser): Promise<UserView | null> {
    const row = await firstRow(em, INSERT_IF_NEW_EMAIL, { ...fields, id: randomUUID() });
    return row ? userViewOfRow(row) : null;
  },

  async usernameTaken(em: EntityManager, username: string): Promise<boolean> {
    return (await firstRow(em, USERNAME_TAKEN, { username })) !== undefined;
  },

  async findById(em: EntityManager, id: string): Promise<UserView | null> {
    const user = await em.findOne(User, id);
    return user && userViewOf(user);
  },

  async findByEmail(em: EntityManager, email: string): Promise<UserView | null> {
    const user = await em.findOne(User, { email });
    return user && userViewOf(user);
  },

  /**
   * The user, the password hash (null for accounts without a password) and the credential generation (which
   * a presented device token must carry), for signing in.
   */
  async findWithPassword(
    em: EntityManager,
    by: { email: string } | { username: string },
  ): Promise<{ user: UserView; passwordHash: string | null; generation: number } | null> {
    const row =
      'email' in by ? await firstRow(em, WITH_PASSWORD_BY_EMAIL, by) : await firstRow(em, WITH_PASSWORD_BY_USERNAME, by);
    return row ? { user: userViewOfRow(row), passwordHash: row.password_hash, generation: row.credential_generation } : null;
  },

  /** Only SessionService.revokeCredentials calls this: see there. The new generation (0 when there is no such user). */
  async bumpCredentialGeneration(em: EntityManager, userId: string): Promise<number> {
    return (await firstRow(em, BUMP_GENERATION, { userId }))?.credential_generation ?? 0;
  },

  async hasPassword(em: EntityManager, id: string): Promise<boolean> {
    const user = await em.findOneOrFail(User, id, { populate: ['passwordHash'] });
    return user.passwordHash !== null;
  },

  /**
   * A successful sign-in: when, and the new hash when the stored one used old parameters; only while the
   * stored hash is still `verifiedHash` (false when it changed since it was checked).
   */
  async recordLogin(
    em: EntityManager,
    change: { userId: string; at: Date; verifiedHash: string; rehashedPassword: string | null },
  ): Promise<boolean> {
    return (await firstRow(em, RECORD_LOGIN, change)) !== undefined;
  },

  /** Sets the tier; returns the user and the tier it had, or null when there is no such user. */
  async setTier(em: EntityManager, id: string, tier: Tier): Promise<{ user: UserView; before: Tier } | null> {
    const row = await firstRow(em, SET_TIER, { id, tier });
    return row ? { user: userViewOfRow(row), before: row.before_tier } : null;
  },

  /** One page of users in (createdAt, id) order, after the given key; `limit` rows at most. */
  async page(em: EntityManager, after: { createdAt: Date; id: string } | null, limit: number): Promise<UserView[]> {
    const where = after
      ? { $or: [{ createdAt: { $gt: after.createdAt } }, { createdAt: after.createdAt, id: { $gt: after.id } }] }
      : {};
    const users = await em.find(User, where, { orderBy: { createdAt: 'asc', id: 'asc' }, limit });
    return users.map(userViewOf);
  },
};
