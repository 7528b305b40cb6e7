import type { EntityManager } from '@mikro-orm/postgresql';
import { firstRow, pgDate, type PgTime, rows, statement } from '../../db/sql.js';

export interface AccountCredentials {
  id: string;
  email: string;
  passwordHash: string | null;
  emailVerified: boolean;
  /** The credential generation: a mailed link issued now carries it. */
  generation: number;
}

type CredentialsRow = {
  id: string;
  email: string;
  password_hash: string | null;
  email_verified: boolean;
  credential_generation: number;
};

const CREDENTIALS_BY_ID = statement<{ id: string }, CredentialsRow>(
  'select id, email, password_hash, email_verified, credential_generation from app_user where id = :id',
);
const CREDENTIALS_BY_EMAIL = statement<{ email: string }, CredentialsRow>(
  'select id, email, password_hash, email_verified, credential_generation from app_user where email = :email',
);
const SESSION_OPENED_AT = statement<{ sessionId: string }, { created_at: PgTime }>(
  'select created_at from session where id = :sessionId',
);
const MARK_VERIFIED = statement<{ userId: string; email: string }>(
  'update app_user set email_verified = true where id = :userId and email = :email',
);
const SET_PASSWORD = statement<{ userId: string; passwordHash: string; verifyEmail: boolean }>(
  'update app_user set password_hash = :passwordHash, email_verified = email_verified or :verifyEmail where id = :userId',
);
const CHANGE_EMAIL = statement<{ userId: string; from: string; to: string }, { id: string }>(
  'update app_user set email = :to, email_verified = true where id = :userId and email = :from returning id',
);
const SIGNED_IN_FROM = statement<{ userId: string; ip: string }, { one: number }>(
  'select 1 as one from session where user_id = :userId and ip = :ip limit 1',
);
const DELETE_USER = statement<{ userId: string }>('delete from app_user where id = :userId');
const SIGN_IN_HISTORY = statement<
  { userId: string; sessionId: string; userAgent: string | null },
  { email: string; others: number; same_client: number }
>(`
  select u.email,
    (select count(*)::int from session s where s.user_id = u.id and s.id <> :sessionId) as others,
    (select count(*)::int from session s
      where s.user_id = u.id and s.id <> :sessionId and s.user_agent is not distinct from :userAgent) as same_client
  from app_user u where u.id = :userId`);

const credentials = (row: CredentialsRow | undefined): AccountCredentials | null =>
  row
    ? {
        id: row.id,
        email: row.email,
        passwordHash: row.password_hash,
        emailVerified: row.email_verified,
        generation: row.credential_generation,
      }
    : null;

/** The account rows the email, password and deletion flows read and write; inside the caller's transaction. */
export const accountStore = {
  async credentials(em: EntityManager, where: { id: string } | { email: string }): Promise<AccountCredentials | null> {
    return credentials(
      'id' in where ? await firstRow(em, CREDENTIALS_BY_ID, where) : await firstRow(em, CREDENTIALS_BY_EMAIL, where),
    );
  },

  async sessionOpenedAt(em: EntityManager, sessionId: string): Promise<Date | null> {
    const row = await firstRow(em, SESSION_OPENED_AT, { sessionId });
    return row ? pgDate(row.created_at) : null;
  },

  markVerified: (em: EntityManager, userId: string, email: string) => rows(em, MARK_VERIFIED, { userId, email }),

  /** A new password; proving the mailbox (a reset) also verifies the address. */
  setPassword: (em: EntityManager, userId: string, passwordHash: string, verifyEmail: boolean) =>
    rows(em, SET_PASSWORD, { userId, passwordHash, verifyEmail }),

  /** Moves the account to a confirmed address; false when it no longer has `from`. */
  async changeEmail(em: EntityManager, userId: string, from: string, to: string): Promise<boolean> {
    return (await rows(em, CHANGE_EMAIL, { userId, from, to })).length === 1;
  },

  async emailTaken(em: EntityManager, email: string): Promise<boolean> {
    return (await firstRow(em, CREDENTIALS_BY_EMAIL, { email })) !== undefined;
  },

  /** Whether the account ever opened a session from this address (still on record). */
  async signedInFrom(em: EntityManager, userId: string, ip: string): Promise<boolean> {
    return (await firstRow(em, SIGNED_IN_FROM, { userId, ip })) !== undefined;
  },

  /** Deletes the account; sessions, tokens, events, links and progress go with it (foreign keys cascade). */
  deleteUser: (em: EntityManager, userId: string) => rows(em, DELETE_USER, { userId }),

  /** For the new-sign-in notice: the address, and how many other sessions the account had, from this client and at all. */
  async signInHistory(em: EntityManager, userId: string, sessionId: string, userAgent: string | null) {
    const row = await firstRow(em, SIGN_IN_HISTORY, { userId, sessionId, userAgent });
    return row ? { email: row.email, others: row.others, sameClient: row.same_client } : null;
  },
};
