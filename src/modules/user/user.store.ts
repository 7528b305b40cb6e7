import type { EntityManager } from '@mikro-orm/postgresql';
import { firstRow, statement } from '../../db/sql.js';
import type { Tier } from './tier.js';
import { User } from './user.entity.js';
import { userViewOf, type UserView } from './user.view.js';

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
  /** Writes the user now; a taken email or username throws MikroORM's UniqueConstraintViolationException. */
  async insert(em: EntityManager, fields: NewUser): Promise<UserView> {
    const user = em.create(User, fields);
    await em.flush();
    return userViewOf(user);
  },

  async findById(em: EntityManager, id: string): Promise<UserView | null> {
    const user = await em.findOne(User, id);
    return user && userViewOf(user);
  },

  async findByEmail(em: EntityManager, email: string): Promise<UserView | null> {
    const user = await em.findOne(User, { email });
    return user && userViewOf(user);
  },

  /** The user and the password hash (null for accounts without a password), for signing in. */
  async findWithPassword(
    em: EntityManager,
    by: { email: string } | { username: string },
  ): Promise<{ user: UserView; passwordHash: string | null } | null> {
    const user = await em.findOne(User, by, { populate: ['passwordHash'] });
    return user && { user: userViewOf(user), passwordHash: user.passwordHash };
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
    const user = await em.findOne(User, id);
    if (!user) return null;
    const before = user.tier;
    user.tier = tier;
    await em.flush();
    return { user: userViewOf(user), before };
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
