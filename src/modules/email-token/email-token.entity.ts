import { Entity, Enum, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { User } from '../user/user.entity.js';
import { EmailTokenPurpose } from './email-token.rules.js';

/** An emailed, single-use token, stored only as a hash of purpose and token. */
@Entity({ tableName: 'email_token' })
export class EmailToken {
  @PrimaryKey({ type: 'string', length: 64 })
  tokenHash!: string;

  @ManyToOne({ entity: () => User, deleteRule: 'cascade', index: 'email_token_user_idx' })
  user!: User;

  @Enum({ items: () => EmailTokenPurpose, type: 'string' })
  purpose!: EmailTokenPurpose;

  /** The account's address when the token was sent (for an undo link: the address it restores). */
  @Property({ type: 'string', length: 254, index: 'email_token_email_idx' })
  email!: string;

  /** For an email change: the address it becomes. */
  @Property({ type: 'string', length: 254, nullable: true })
  newEmail: string | null = null;

  /** The account's credential generation at issue; refused once it differs (undo links excepted). */
  @Property({ type: 'integer', default: 0 })
  generation: number = 0;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt!: Date;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  expiresAt!: Date;
}
