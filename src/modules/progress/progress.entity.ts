import { Entity, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { User } from '../user/user.entity.js';
import type { StageMap } from './progress.rules.js';

/**
 * One resource's progress: its stages as a JSON map, rewritten whole on each report by a
 * single upsert that merges the reported stage under the row's lock (see progress.store.ts), so
 * concurrent reports never lose one.
 */
@Entity({ tableName: 'resource_progress' })
export class ResourceProgressRecord {
  @PrimaryKey({ type: 'string', length: 128 })
  resourceId!: string;

  @ManyToOne({ entity: () => User, deleteRule: 'cascade', index: 'resource_progress_owner_idx' })
  owner!: User;

  @Property({ type: 'json' })
  stages: StageMap = {};

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  updatedAt!: Date;

  /** The purge deletes by this column; reads ignore rows past it. */
  @Index({ name: 'resource_progress_expires_idx' })
  @Property({ type: 'datetime', columnType: 'timestamptz' })
  expiresAt!: Date;
}
