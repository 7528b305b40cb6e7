import { pgDate, type PgTime } from '../../db/sql.js';
import type { Tier } from './tier.js';

/** The account fields requests need, read straight from the row (no entity is hydrated on the hot path). */
export interface UserView {
  id: string;
  email: string;
  username: string | null;
  /** Whether the person has shown they receive mail at `email` (see User.emailVerified). */
  emailVerified: boolean;
  tier: Tier;
  createdAt: Date;
  lastLoginAt: Date | null;
}

/** The view of a loaded User entity, leaving the password hash and ORM state behind. */
export const userViewOf = (user: UserView): UserView => ({
  id: user.id,
  email: user.email,
  username: user.username,
  emailVerified: user.emailVerified,
  tier: user.tier,
  createdAt: user.createdAt,
  lastLoginAt: user.lastLoginAt,
});

/** An app_user row as hand-written SQL selects it (see `userColumns`). */
export interface UserRow {
  id: string;
  email: string;
  username: string | null;
  email_verified: boolean;
  tier: Tier;
  created_at: PgTime;
  last_login_at: PgTime | null;
}

export const userViewOfRow = (row: UserRow): UserView => ({
  id: row.id,
  email: row.email,
  username: row.username,
  emailVerified: row.email_verified,
  tier: row.tier,
  createdAt: pgDate(row.created_at),
  lastLoginAt: pgDate(row.last_login_at),
});
