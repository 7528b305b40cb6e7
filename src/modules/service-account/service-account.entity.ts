import { randomUUID } from 'node:crypto';
import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, ObjectType } from 'type-graphql';

/** A worker's identity: it may report progress and nothing else. Its key is kept only as a hash. */
@ObjectType('ServiceAccount', { description: 'A worker identity: it may report progress and nothing else.' })
@Entity({ tableName: 'service_account' })
export class ServiceAccount {
  @Field(() => ID, { description: 'Pass it to revokeServiceAccount.' })
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Field(() => String, { description: 'What the worker is, for people: 1 to 100 characters.' })
  @Property({ type: 'string', length: 100 })
  name!: string;

  @Property({ type: 'string', length: 64, unique: 'service_account_key_hash_unique', hidden: true })
  keyHash!: string;

  @Field(() => String, { description: 'The start of the key, to tell keys apart; the rest is never shown again.' })
  @Property({ type: 'string', length: 16 })
  keyPrefix!: string;

  @Property({ type: 'uuid' })
  createdBy!: string;

  @Field(() => Date, { description: 'When it was created.' })
  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When it was revoked; null while its key works.' })
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  revokedAt: Date | null = null;
}
