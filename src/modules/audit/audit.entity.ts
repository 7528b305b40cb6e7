import { randomUUID } from 'node:crypto';
import { Entity, Enum, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';

/** What an administrator did. Later features add theirs here (MFA resets, …). */
export enum AuditAction {
  TIER_CHANGED = 'TIER_CHANGED',
  SERVICE_ACCOUNT_CREATED = 'SERVICE_ACCOUNT_CREATED',
  SERVICE_ACCOUNT_REVOKED = 'SERVICE_ACCOUNT_REVOKED',
}

registerEnumType(AuditAction, {
  name: 'AuditAction',
  description: 'An administrative action recorded in the audit log.',
  valuesConfig: {
    TIER_CHANGED: { description: "A user's tier was changed (setUserTier, or the admin command line). The target is the user." },
    SERVICE_ACCOUNT_CREATED: { description: 'A service account was created. The target is the service account.' },
    SERVICE_ACCOUNT_REVOKED: { description: 'A service account was revoked. The target is the service account.' },
  },
});

/**
 * One administrative action, written in the same transaction as the action itself, so the log holds an
 * entry exactly when the change committed. Append-only: the database refuses to update a row, and deletes
 * only the retention purge's (see the migration's trigger). No foreign keys: an entry outlives its actor and target.
 */
@ObjectType('AuditEntry', { description: 'One administrative action: who did what to whom, when, and from where.' })
@Entity({ tableName: 'audit_entry' })
@Index({ name: 'audit_entry_at_idx', properties: ['at', 'id'] })
export class AuditEntry {
  @Field(() => ID, { description: 'The entry’s id.' })
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Field(() => AuditAction, { description: 'What was done.' })
  @Enum({ items: () => AuditAction, type: 'string' })
  action!: AuditAction;

  @Field(() => ID, {
    nullable: true,
    description: 'The administrator who did it; null when it was done from the command line on the server (npm run admin).',
  })
  @Property({ type: 'uuid', nullable: true })
  actorId: string | null = null;

  @Field(() => ID, { description: 'What it was done to: a user’s id or a service account’s id, as the action says.' })
  @Property({ type: 'uuid' })
  targetId!: string;

  @Field(() => Date, { description: 'When it was done (the server’s clock).' })
  @Property({ type: 'datetime', columnType: 'timestamptz' })
  at!: Date;

  @Field(() => String, {
    nullable: true,
    description: 'The client address the request came from, as the server saw it (see TRUST_PROXY); null from the command line.',
  })
  @Property({ type: 'string', length: 45, nullable: true })
  clientAddress: string | null = null;
}
