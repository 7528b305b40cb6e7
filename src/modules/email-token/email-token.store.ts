import type { EntityManager } from '@mikro-orm/postgresql';
import { firstRow, pgDate, type PgTime, rows, statement } from '../../db/sql.js';
import {
  EmailTokenPurpose,
  emailTokenLifetimeSeconds,
  emailTokensKept,
  hashEmailToken,
  newEmailToken,
  type StoredEmailToken,
} from './email-token.rules.js';

/** Every token of the purpose except the `keep` newest unexpired ones. */
const FORGET_OLDER = statement<{ userId: string; purpose: string; keep: number; now: Date }>(`
  delete from email_token where user_id = :userId and purpose = :purpose and token_hash not in (
    select token_hash from email_token where user_id = :userId and purpose = :purpose and expires_at > :now
    order by created_at desc limit :keep)`);
const INSERT = statement<{
  tokenHash: string;
  userId: string;
  purpose: string;
  email: string;
  newEmail: string | null;
  generation: number;
  now: Date;
  expiresAt: Date;
}>(`
  insert into email_token (token_hash, user_id, purpose, email, new_email, generation, created_at, expires_at)
  values (:tokenHash, :userId, :purpose, :email, :newEmail, :generation, :now, :expiresAt)`);
type TokenRow = {
  user_id: string;
  purpose: EmailTokenPurpose;
  email: string;
  new_email: string | null;
  generation: number;
  expires_at: PgTime;
};
// Deleting is what makes a token single-use, even when two requests race with it.
const TAKE = statement<{ tokenHash: string }, TokenRow>(
  'delete from email_token where token_hash = :tokenHash returning user_id, purpose, email, new_email, generation, expires_at',
);
const PURGE = statement<{ now: Date; limit: number }, { n: number }>(`
  with doomed as (select token_hash from email_token where expires_at <= :now limit :limit for update skip locked),
  deleted as (delete from email_token where token_hash in (select token_hash from doomed) returning 1)
  select count(*)::int as n from deleted`);
const FORGET_ALL = statement<{ userId: string; purpose: string }>(
  'delete from email_token where user_id = :userId and purpose = :purpose',
);
const FORMER_OWNER = statement<{ email: string; purpose: string; now: Date }, { user_id: string }>(`
  select user_id from email_token where email = :email and purpose = :purpose and expires_at > :now
  order by created_at desc limit 1`);

/** Emailed tokens' one home in the database; every statement joins the caller's transaction. */
export const emailTokenStore = {
  /**
   * A new token for the user and purpose, carrying the account's credential generation; of the earlier ones
   * of that purpose only the newest `emailTokensKept - 1` stay valid.
   */
  async issue(
    em: EntityManager,
    input: { userId: string; purpose: EmailTokenPurpose; email: string; newEmail?: string | null; generation: number },
    now: Date,
  ): Promise<string> {
    const token = newEmailToken();
    const keep = emailTokensKept[input.purpose] - 1;
    await rows(em, FORGET_OLDER, { userId: input.userId, purpose: input.purpose, keep, now });
    await rows(em, INSERT, {
      tokenHash: hashEmailToken(input.purpose, token),
      userId: input.userId,
      purpose: input.purpose,
      email: input.email,
      newEmail: input.newEmail ?? null,
      generation: input.generation,
      now,
      expiresAt: new Date(now.getTime() + emailTokenLifetimeSeconds[input.purpose] * 1000),
    });
    return token;
  },

  async consume(em: EntityManager, purpose: EmailTokenPurpose, token: string): Promise<StoredEmailToken | null> {
    const row = await firstRow(em, TAKE, { tokenHash: hashEmailToken(purpose, token) });
    return row
      ? {
          userId: row.user_id,
          purpose: row.purpose,
          email: row.email,
          newEmail: row.new_email,
          generation: row.generation,
          expiresAt: pgDate(row.expires_at),
        }
      : null;
  },

  /** Every token of the purpose the user still has. */
  forgetAll: (em: EntityManager, userId: string, purpose: EmailTokenPurpose) => rows(em, FORGET_ALL, { userId, purpose }),

  /**
   * The account that had `email` until an email change of the last 7 days (its undo link is still valid),
   * so that a reset asked at the former address reaches the account.
   */
  async formerOwnerOf(em: EntityManager, email: string, now: Date): Promise<string | null> {
    const row = await firstRow(em, FORMER_OWNER, { email, purpose: EmailTokenPurpose.REVERT_EMAIL_CHANGE, now });
    return row?.user_id ?? null;
  },

  /** Deletes at most `limit` expired tokens; returns how many. */
  purgeExpired: async (em: EntityManager, now: Date, limit: number) => (await rows(em, PURGE, { now, limit }))[0]?.n ?? 0,
};
