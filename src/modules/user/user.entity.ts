import { randomUUID } from 'node:crypto';
import { Entity, Enum, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, ObjectType } from 'type-graphql';
import { Tier } from './tier.js';

// Every type is spelled out: tsx and vitest (esbuild) emit no decorator metadata to infer it from.
@ObjectType('User', { description: 'A person with a Tollgate account.' })
@Entity({ tableName: 'app_user' })
export class User {
  @Field(() => ID, { description: 'Stable; a UUID.' })
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  /** Stored canonical (see canonicalEmail: NFKC and lower-case local part, IDNA domain) so that one mailbox is one account. */
  @Field(() => String, {
    description: 'Canonical, as stored (NFKC and lower-case local part, IDNA domain); one mailbox is one account.',
  })
  @Property({ type: 'string', length: 254, unique: 'app_user_email_unique' })
  email!: string;

  /**
   * True once the person proved they read mail at `email` (a verification, reset or email-change link),
   * or a provider that vouches for the address created the account. Only a verified account receives
   * automatic provider links.
   */
  @Field(() => Boolean, { description: 'Whether the person has shown they receive mail at this address.' })
  @Property({ type: 'boolean', default: false })
  emailVerified: boolean = false;

  /** Stored in lower case; the unique index makes it unique case-insensitively. */
  @Field(() => String, {
    nullable: true,
    description: 'Lower case, 3 to 32 characters of a-z, 0-9 and _; null if none was chosen.',
  })
  @Property({ type: 'string', length: 32, nullable: true, unique: 'app_user_username_unique' })
  username: string | null = null;

  // Lazy and hidden: loaded only by login's explicit populate, never serialised. Null for accounts
  // made through Google or GitHub until a password is set.
  @Property({ type: 'string', length: 255, lazy: true, hidden: true, nullable: true })
  passwordHash!: string | null;

  @Field(() => Tier, { description: 'The plan; it sets the rate limits and what the user may do.' })
  @Enum({ items: () => Tier, type: 'string', default: Tier.FREE })
  tier: Tier = Tier.FREE;

  @Field(() => Date, { description: 'When the account was created.' })
  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt!: Date;

  /**
   * The credential generation (security stamp): bumped, in the same transaction, by every event that changes
   * who can get in (see SessionService.revokeCredentials). Sessions, mailed links and device tokens carry the
   * generation they were issued under and are refused once it differs. Never leaves the server.
   */
  @Property({ type: 'integer', default: 0, hidden: true })
  credentialGeneration: number = 0;

  @Field(() => Date, { nullable: true, description: 'The last successful sign-in; null before the first.' })
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  lastLoginAt: Date | null = null;
}
