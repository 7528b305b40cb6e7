import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { rows, statement } from '../../db/sql.js';
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
const PURGE_FINISHED = statement<{ before: Date; limit: number }, { n: number }>(`
  with doomed as (
    select id from mail_outbox where status <> 'pending' and created_at < :before limit :limit for update skip locked
  ), deleted as (delete from mail_outbox where id in (select id from doomed) returning 1)
  select count(*)::int as n from deleted`);

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

  /** Sent and dead mail is kept for a while for support, then removed. Deletes at most `limit` sent or dead mails created before `before`; returns how many. */
  async purgeFinished(em: EntityManager, before: Date, limit: number): Promise<number> {
    return (await rows(em, PURGE_FINISHED, { before, limit }))[0]?.n ?? 0;
  },
};
