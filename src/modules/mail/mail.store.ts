import type { EntityManager } from '@mikro-orm/postgresql';
import { pgDate, type PgTime, rows, statement } from '../../db/sql.js';
import type { MailKind } from './mail.templates.js';

/** The mail outbox's one home in the database. Every write joins the caller's transaction when there is one. */

export interface ClaimedMail {
  id: string;
  kind: MailKind;
  /** Recipient, subject and bodies, sealed (mail.seal.ts); opened only by the sender, just before sending. */
  sealed: string;
  attempts: number;
}

const ENQUEUE = statement<{ id: string; kind: string; userId: string; sealed: string; now: Date }>(`
  insert into mail_outbox (id, kind, user_id, sealed, status, attempts, next_attempt_at, created_at)
  values (:id, :kind, :userId, :sealed, 'pending', 0, :now, :now)`);

/**
 * Claims due mail for one sender: a lease, so another instance skips it (SKIP LOCKED while this
 * statement runs, the lease after it commits) and takes it over only if this one dies mid-send.
 */
const CLAIM = statement<
  { leaseUntil: Date; now: Date; limit: number },
  { id: string; kind: MailKind; sealed: string; attempts: number }
>(`
  update mail_outbox set lease_until = :leaseUntil
  where id in (
    select id from mail_outbox
    where status = 'pending' and next_attempt_at <= :now and (lease_until is null or lease_until <= :now)
    order by next_attempt_at limit :limit for update skip locked)
  returning id, kind, sealed, attempts`);

const MARK_SENT = statement<{ id: string; now: Date }>(`
  update mail_outbox set status = 'sent', sent_at = :now, lease_until = null, sealed = null
  where id = :id`);

/** A failed try: due again at :nextAttemptAt, or dead (sealed content cleared) when that is null. */
const MARK_FAILED = statement<{ id: string; error: string; nextAttemptAt: Date | null }>(`
  update mail_outbox set attempts = attempts + 1, last_error = :error, lease_until = null,
    status = case when :nextAttemptAt::timestamptz is null then 'dead' else 'pending' end,
    next_attempt_at = coalesce(:nextAttemptAt::timestamptz, next_attempt_at),
    sealed = case when :nextAttemptAt::timestamptz is null then null else sealed end
  where id = :id`);

const RELEASE = statement<{ id: string }>('update mail_outbox set lease_until = null where id = :id');
const FORGET_USER = statement<{ userId: string }>('delete from mail_outbox where user_id = :userId');
const PURGE_FINISHED = statement<{ before: Date; limit: number }, { n: number }>(`
  with doomed as (
    select id from mail_outbox where status <> 'pending' and created_at < :before limit :limit for update skip locked
  ), deleted as (delete from mail_outbox where id in (select id from doomed) returning 1)
  select count(*)::int as n from deleted`);
/** The outbox's backlog for the metrics: one scan of the pending rows (the due index's leading column). */
const BACKLOG = statement<Record<string, never>, { pending: string; oldest: PgTime | null }>(
  `select count(*) as pending, min(created_at) as oldest from mail_outbox where status = 'pending'`,
);

export const mailStore = {
  /** `id` is chosen by the caller: the sealed content is bound to it. */
  enqueue: (em: EntityManager, mail: { id: string; kind: MailKind; userId: string; sealed: string }, now: Date) =>
    rows(em, ENQUEUE, { ...mail, now }),

  async claim(em: EntityManager, now: Date, leaseMs: number, limit: number): Promise<ClaimedMail[]> {
    const claimed = await rows(em, CLAIM, { leaseUntil: new Date(now.getTime() + leaseMs), now, limit });
    return claimed.map((r) => ({ id: r.id, kind: r.kind, sealed: r.sealed, attempts: r.attempts }));
  },

  markSent: (em: EntityManager, id: string, now: Date) => rows(em, MARK_SENT, { id, now }),

  markFailed: (em: EntityManager, id: string, error: string, nextAttemptAt: Date | null) =>
    rows(em, MARK_FAILED, { id, error: withoutAddresses(error).slice(0, 500), nextAttemptAt }),

  /** Hands mail back untried (the circuit is open): not an attempt, due again at once. */
  async release(em: EntityManager, ids: string[]): Promise<void> {
    for (const id of ids) await rows(em, RELEASE, { id });
  },

  /** Forgets an account's mail, waiting or finished: nothing is sent to, or kept about, a deleted account. */
  forgetUser: (em: EntityManager, userId: string) => rows(em, FORGET_USER, { userId }),

  /** How much mail waits to be sent, and since when the oldest has. */
  async backlog(em: EntityManager): Promise<{ pending: number; oldest: Date | null }> {
    const row = (await rows(em, BACKLOG, {}))[0];
    return { pending: Number(row?.pending ?? 0), oldest: row?.oldest ? pgDate(row.oldest) : null };
  },

  /** Sent and dead mail is kept for a while for support, then removed. Deletes at most `limit` sent or dead mails created before `before`; returns how many. */
  async purgeFinished(em: EntityManager, before: Date, limit: number): Promise<number> {
    return (await rows(em, PURGE_FINISHED, { before, limit }))[0]?.n ?? 0;
  },
};

/** SMTP servers quote the recipient in their refusals ("550 <a@b>: no such user"); the column must not. */
const withoutAddresses = (message: string) => message.replace(/[^\s<>"'()[\],;:]+@[^\s<>"'()[\],;:]+/g, '<address>');
