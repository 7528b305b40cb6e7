import { randomUUID } from 'node:crypto';
import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { User } from '../user/user.entity.js';
import { MailKind } from './mail.templates.js';

export type OutboxStatus = 'pending' | 'sent' | 'dead';

/**
 * One mail in the transactional outbox: written in the transaction that made it necessary, sent by
 * whichever instance claims it. Recipient, subject and bodies are sealed together (mail.seal.ts): a
 * database reader sees the kind and the account, never the address or a link. The sealed content is
 * cleared once the mail is sent or given up, and the account's deletion deletes its rows.
 */
@Entity({ tableName: 'mail_outbox' })
@Index({ name: 'mail_outbox_due_idx', properties: ['status', 'nextAttemptAt'] })
export class OutboxMail {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Enum({ items: () => MailKind, type: 'string' })
  kind!: MailKind;

  @ManyToOne({ entity: () => User, deleteRule: 'cascade', index: 'mail_outbox_user_idx' })
  user!: User;

  /** A compact JWE of recipient, subject and bodies; null once sent or dead. */
  @Property({ type: 'text', nullable: true })
  sealed: string | null = null;

  @Property({ type: 'string', length: 16, default: 'pending' })
  status: OutboxStatus = 'pending';

  @Property({ type: 'integer', default: 0 })
  attempts = 0;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  nextAttemptAt!: Date;

  /** Set while one sender holds the mail; another sender takes it only after this passes. */
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  leaseUntil: Date | null = null;

  @Property({ type: 'string', length: 500, nullable: true })
  lastError: string | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt!: Date;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  sentAt: Date | null = null;
}
