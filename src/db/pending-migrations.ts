import type { MikroORM } from '@mikro-orm/core';
import type { PostgreSqlDriver } from '@mikro-orm/postgresql';

/**
 * The database lacks migrations this code needs. A server started on it would answer every request
 * with a missing-table error while /health/ready said 200, so it does not start at all.
 */
export class PendingMigrationsError extends Error {
  constructor(readonly pending: readonly string[]) {
    super(
      `The database has ${pending.length} pending migrations (${pending.join(', ')}): run npm run migrate ` +
        '(node dist/cli/migrate.js in the Docker image) first, or set MIGRATE_ON_START=true.',
    );
    this.name = 'PendingMigrationsError';
  }
}

/** The migrations of this code not yet applied to the database, oldest first. */
export async function pendingMigrations(orm: MikroORM<PostgreSqlDriver>): Promise<string[]> {
  return (await orm.getMigrator().getPendingMigrations()).map((m) => m.name);
}
