import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { pgDate, type PgTime, rows, statement } from '../../db/sql.js';
import type { MailContent, MailKind } from './mail.templates.js';

/** The mail outbox's one home in the database. Every write joins the caller's transaction when there is one. */

export interface ClaimedMail {
  id: string;
  kind: MailKind;
  to: string;
  subject: string;
  text: string;
  html: string;
  attempts: number;
}

const ENQUEUE = statement<{ id: string; kind: string; to: string; subject: string; text: string; html: string; now: Date }>(`
  insert into mail_outbox (id, kind, recipient, subject, text_body, html_body, status, attempts, next_attempt_at, created_at)
  values (:id, :kind, :to, :subject, :text, :html, 'pending', 0, :now, :now)`);

/**
 * Claims due mail for one sender: a lease, so another instance skips it (SKIP LOCKED while this
 * statement runs, the lease after it commits) and takes it over only if this one dies mid-send.
 */
const CLAIM = statement<
  { leaseUntil: Date; now: Date; limit: number },
  { id: string; kind: MailKind; recipient: string; subject: string; text_body: string; html_body: string; attempts: number }
>(`
  update mail_outbox set lease_until = :leaseUntil
  where id in (
    select id from mail_outbox
    where status = 'pending' and next_attempt_at <= :now and (lease_until is null or lease_until <= :now)
    order by next_attempt_at limit :limit for update skip locked)
  returning id, kind, recipient, subject, text_body, html_body, attempts`);

const MARK_SENT = statement<{ id: string; now: Date }>(`
  update mail_outbox set status = 'sent', sent_at = :now, lease_until = null, text_body = null, html_body = null
  where id = :id`);

/** A failed try: due again at :nextAttemptAt, or dead (bodies cleared) when that is null. */
const MARK_FAILED = statement<{ id: string; error: string; nextAttemptAt: Date | null }>(`
  update mail_outbox set attempts = attempts + 1, last_error = :error, lease_until = null,
    status = case when :nextAttemptAt::timestamptz is null then 'dead' else 'pending' end,
    next_attempt_at = coalesce(:nextAttemptAt::timestamptz, next_attempt_at),
    text_body = case when :nextAttemptAt::timestamptz is null then null else text_body end,
    html_body = case when :nextAttemptAt::timestamptz is null then null else html_body end
  where id = :id`);

const RELEASE = statement<{ id: string }>('update mail_outbox set lease_until = null where id = :id');
const FORGET_RECIPIENT = statement<{ address: string }>('delete from mail_outbox where recipient = :address');
const PURGE_FINISHED = statement<{ before: Date }, { id: string }>(
  `delete from mail_outbox where status <> 'pending' and created_at < :before returning id`,
);
/** The outbox's backlog for the metrics: one scan of the pending rows (the due index's leading column). */
const BACKLOG = statement<Record<string, never>, { pending: string; oldest: PgTime | null }>(
  `select count(*) as pending, min(created_at) as oldest from mail_outbox where status = 'pending'`,
);

export const mailStore = {
  async enqueue(em: EntityManager, mail: { kind: MailKind; to: string } & MailContent, now: Date): Promise<string> {
    const id = randomUUID();
    await rows(em, ENQUEUE, { id, ...mail, now });
    return id;
  },

  async claim(em: EntityManager, now: Date, leaseMs: number, limit: number): Promise<ClaimedMail[]> {
    const claimed = await rows(em, CLAIM, { leaseUntil: new Date(now.getTime() + leaseMs), now, limit });
    return claimed.map((r) => ({
      id: r.id,
      kind: r.kind,
      to: r.recipient,
      subject: r.subject,
      text: r.text_body,
      html: r.html_body,
      attempts: r.attempts,
    }));
  },

  markSent: (em: EntityManager, id: string, now: Date) => rows(em, MARK_SENT, { id, now }),

  markFailed: (em: EntityManager, id: string, error: string, nextAttemptAt: Date | null) =>
    rows(em, MARK_FAILED, { id, error: error.slice(0, 500), nextAttemptAt }),

  /** Hands mail back untried (the circuit is open): not an attempt, due again at once. */
  async release(em: EntityManager, ids: string[]): Promise<void> {
    for (const id of ids) await rows(em, RELEASE, { id });
  },

  /** Forgets an address: mail to a deleted account is neither sent nor kept. */
  forgetRecipient: (em: EntityManager, address: string) => rows(em, FORGET_RECIPIENT, { address }),

  /** How much mail waits to be sent, and since when the oldest has. */
  async backlog(em: EntityManager): Promise<{ pending: number; oldest: Date | null }> {
    const row = (await rows(em, BACKLOG, {}))[0];
    return { pending: Number(row?.pending ?? 0), oldest: row?.oldest ? pgDate(row.oldest) : null };
  },

  /** Sent and dead mail is kept for a while for support, then removed. */
  async purgeFinished(em: EntityManager, before: Date): Promise<number> {
    return (await rows(em, PURGE_FINISHED, { before })).length;
  },
};
