import { randomUUID } from 'node:crypto';
import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { User } from '../user/user.entity.js';

export enum SecurityEventType {
  REGISTERED = 'REGISTERED',
  LOGIN_SUCCEEDED = 'LOGIN_SUCCEEDED',
  LOGIN_FAILED = 'LOGIN_FAILED',
  /** Failed-login attempts were refused for a while (recorded once per window, not per attempt). */
  LOGIN_THROTTLED = 'LOGIN_THROTTLED',
  TOKEN_REFRESHED = 'TOKEN_REFRESHED',
  REFRESH_TOKEN_REUSED = 'REFRESH_TOKEN_REUSED',
  LOGGED_OUT = 'LOGGED_OUT',
  SESSION_REVOKED = 'SESSION_REVOKED',
  PASSWORD_REHASHED = 'PASSWORD_REHASHED',
  OAUTH_LINKED = 'OAUTH_LINKED',
  OAUTH_LOGIN = 'OAUTH_LOGIN',
  OAUTH_UNLINKED = 'OAUTH_UNLINKED',
  EMAIL_VERIFIED = 'EMAIL_VERIFIED',
  PASSWORD_RESET = 'PASSWORD_RESET',
  PASSWORD_CHANGED = 'PASSWORD_CHANGED',
  EMAIL_CHANGED = 'EMAIL_CHANGED',
}

registerEnumType(SecurityEventType, { name: 'SecurityEventType' });

/** The account history a person reads to notice a sign-in that was not theirs. */
@ObjectType('SecurityEvent')
@Entity({ tableName: 'security_event' })
@Index({ name: 'security_event_user_at_idx', properties: ['user', 'at'] })
export class SecurityEvent {
  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne({ entity: () => User, deleteRule: 'cascade', index: false })
  user!: User;

  /** The session it concerns, when there is one; kept as a plain id so events outlive sessions. */
  @Property({ type: 'uuid', nullable: true })
  sessionId: string | null = null;

  @Field(() => SecurityEventType)
  @Enum({ items: () => SecurityEventType, type: 'string' })
  type!: SecurityEventType;

  @Field(() => Date)
  @Property({ type: 'datetime', columnType: 'timestamptz' })
  at!: Date;

  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 45, nullable: true })
  ip: string | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 512, nullable: true })
  userAgent: string | null = null;
}
