import { randomUUID } from 'node:crypto';
import { Entity, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, ObjectType } from 'type-graphql';
import { User } from '../user/user.entity.js';

/**
 * A signed-in device. Its id is the access token's `sid` claim, so ending a session can reject
 * that session's access tokens before they expire.
 */
@ObjectType('Session', { description: 'A signed-in device or browser.' })
@Entity({ tableName: 'session' })
export class Session {
  @Field(() => ID, { description: 'Pass it to revokeSession.' })
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne({ entity: () => User, deleteRule: 'cascade', index: 'session_user_idx' })
  user!: User;

  @Field(() => Date, { description: 'When the session began (register, login or OAuth sign-in).' })
  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt!: Date;

  @Field(() => Date, { description: 'The last sign-in or refresh.' })
  @Property({ type: 'datetime', columnType: 'timestamptz' })
  lastUsedAt!: Date;

  /** Absolute end of the session; rotation never moves it. */
  @Field(() => Date, { description: 'The absolute end of the session; refreshing never moves it.' })
  @Property({ type: 'datetime', columnType: 'timestamptz' })
  expiresAt!: Date;

  /** Keys the derivation of each refresh token's successor; never leaves the database. */
  @Property({ type: 'string', length: 64, lazy: true, hidden: true })
  rotationSecret!: string;

  /** The account's credential generation when the session opened; the session check refuses it once they differ. */
  @Property({ type: 'integer', default: 0, hidden: true })
  generation: number = 0;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  revokedAt: Date | null = null;

  @Property({ type: 'string', length: 32, nullable: true })
  revokedReason: string | null = null;

  @Field(() => String, { nullable: true, description: 'The User-Agent that began the session, at most 512 characters.' })
  @Property({ type: 'string', length: 512, nullable: true })
  userAgent: string | null = null;

  @Field(() => String, { nullable: true, description: 'The client address that began the session.' })
  @Property({ type: 'string', length: 45, nullable: true })
  ip: string | null = null;
}

/**
 * One refresh token of a session's chain, kept by its SHA-256 hash only. Rotated tokens stay,
 * marked, so a replayed one can be recognised as reuse.
 */
@Entity({ tableName: 'refresh_token' })
export class RefreshToken {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne({ entity: () => Session, deleteRule: 'cascade', index: 'refresh_token_session_idx' })
  session!: Session;

  @Property({ type: 'string', length: 64, unique: 'refresh_token_hash_unique' })
  tokenHash!: string;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt!: Date;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  expiresAt!: Date;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  rotatedAt: Date | null = null;
}
