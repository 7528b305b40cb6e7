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
  EMAIL_CHANGE_REVERTED = 'EMAIL_CHANGE_REVERTED',
  REAUTH_FAILED = 'REAUTH_FAILED',
}

registerEnumType(SecurityEventType, {
  name: 'SecurityEventType',
  description: 'What happened to the account.',
  valuesConfig: {
    REGISTERED: { description: 'The account was created.' },
    LOGIN_SUCCEEDED: { description: 'A sign-in with the password succeeded.' },
    LOGIN_FAILED: { description: 'A sign-in with a wrong password was refused.' },
    LOGIN_THROTTLED: { description: 'Sign-ins to the account were refused for a while after too many failures.' },
    TOKEN_REFRESHED: { description: 'A refresh token was exchanged for new tokens.' },
    REFRESH_TOKEN_REUSED: { description: 'A spent refresh token was presented again; the session was ended.' },
    LOGGED_OUT: { description: 'The session was ended by logout.' },
    SESSION_REVOKED: { description: 'A session was ended by revokeSession.' },
    PASSWORD_REHASHED: { description: 'The stored password hash was upgraded to the current parameters.' },
    OAUTH_LINKED: { description: 'A Google or GitHub identity was linked.' },
    OAUTH_LOGIN: { description: 'A sign-in with Google or GitHub succeeded.' },
    OAUTH_UNLINKED: { description: 'A Google or GitHub identity was unlinked.' },
    EMAIL_VERIFIED: { description: 'The email address was verified through a mailed link.' },
    PASSWORD_RESET: { description: 'The password was reset through a mailed link; every session was ended.' },
    PASSWORD_CHANGED: {
      description: 'The password was changed (or first set) by the signed-in user; other sessions were ended.',
    },
    EMAIL_CHANGED: { description: 'The email address was changed through a link mailed to the new address.' },
    EMAIL_CHANGE_REVERTED: {
      description: 'An email change was undone with the link mailed to the old address; every session was ended.',
    },
    REAUTH_FAILED: {
      description: 'A wrong current password was given to change the password or email or to delete the account.',
    },
  },
});

/** The account history a person reads to notice a sign-in that was not theirs. */
@ObjectType('SecurityEvent', { description: 'One entry of the account history, to notice a sign-in that was not yours.' })
@Entity({ tableName: 'security_event' })
@Index({ name: 'security_event_user_at_idx', properties: ['user', 'at'] })
export class SecurityEvent {
  @Field(() => ID, { description: 'The event’s id.' })
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne({ entity: () => User, deleteRule: 'cascade', index: false })
  user!: User;

  /** The session it concerns, when there is one; kept as a plain id so events outlive sessions. */
  @Property({ type: 'uuid', nullable: true })
  sessionId: string | null = null;

  @Field(() => SecurityEventType, { description: 'What happened.' })
  @Enum({ items: () => SecurityEventType, type: 'string' })
  type!: SecurityEventType;

  @Field(() => Date, { description: 'When it happened.' })
  @Property({ type: 'datetime', columnType: 'timestamptz' })
  at!: Date;

  @Field(() => String, { nullable: true, description: 'The client address it came from, as the server saw it.' })
  @Property({ type: 'string', length: 45, nullable: true })
  ip: string | null = null;

  @Field(() => String, { nullable: true, description: 'The client’s User-Agent, at most 512 characters.' })
  @Property({ type: 'string', length: 512, nullable: true })
  userAgent: string | null = null;
}
