import type { EntityManager } from '@mikro-orm/postgresql';
import { firstRow, pgDate, type PgTime, rows, statement } from '../../db/sql.js';
import {
  type EmailTokenPurpose,
  emailTokenLifetimeSeconds,
  hashEmailToken,
  newEmailToken,
  type StoredEmailToken,
} from './email-token.rules.js';

const FORGET_OLDER = statement<{ userId: string; purpose: string }>(
  'delete from email_token where user_id = :userId and purpose = :purpose',
);
const INSERT = statement<{
  tokenHash: string;
  userId: string;
  purpose: string;
  email: string;
  newEmail: string | null;
  now: Date;
  expiresAt: Date;
}>(`
  insert into email_token (token_hash, user_id, purpose, email, new_email, created_at, expires_at)
  values (:tokenHash, :userId, :purpose, :email, :newEmail, :now, :expiresAt)`);
// Deleting is what makes a token single-use, even when two requests race with it.
const TAKE = statement<{ tokenHash: string }, { user_id: string; email: string; new_email: string | null; expires_at: PgTime }>(
  'delete from email_token where token_hash = :tokenHash returning user_id, email, new_email, expires_at',
);
const PURGE = statement<{ now: Date; limit: number }, { n: number }>(`
  with doomed as (select token_hash from email_token where expires_at <= :now limit :limit for update skip locked),
  deleted as (delete from email_token where token_hash in (select token_hash from doomed) returning 1)
  select count(*)::int as n from deleted`);

/** Emailed tokens' one home in the database; every statement joins the caller's transaction. */
export const emailTokenStore = {
  /** A new token for the user and purpose; any earlier one of that purpose stops working. */
  async issue(
    em: EntityManager,
    input: { userId: string; purpose: EmailTokenPurpose; email: string; newEmail?: string | null },
    now: Date,
  ): Promise<string> {
    const token = newEmailToken();
    await rows(em, FORGET_OLDER, { userId: input.userId, purpose: input.purpose });
    await rows(em, INSERT, {
      tokenHash: hashEmailToken(input.purpose, token),
      userId: input.userId,
      purpose: input.purpose,
      email: input.email,
      newEmail: input.newEmail ?? null,
      now,
      expiresAt: new Date(now.getTime() + emailTokenLifetimeSeconds[input.purpose] * 1000),
    });
    return token;
  },

  async consume(em: EntityManager, purpose: EmailTokenPurpose, token: string): Promise<StoredEmailToken | null> {
    const row = await firstRow(em, TAKE, { tokenHash: hashEmailToken(purpose, token) });
    return row ? { userId: row.user_id, email: row.email, newEmail: row.new_email, expiresAt: pgDate(row.expires_at) } : null;
  },

  /** Deletes at most `limit` expired tokens; returns how many. */
  purgeExpired: async (em: EntityManager, now: Date, limit: number) => (await rows(em, PURGE, { now, limit }))[0]?.n ?? 0,
};
