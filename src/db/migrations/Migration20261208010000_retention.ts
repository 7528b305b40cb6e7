import { Migration } from '@mikro-orm/migrations';

/**
 * Indexes the retention purges (src/modules/retention) walk, so each bounded batch finds its rows by
 * index instead of scanning the table. None is on a column a hot path updates (session.last_used_at
 * is left alone: an index there would cost every refresh its HOT update). `if not exists`: on a large
 * existing table, an operator may build them first with CREATE INDEX CONCURRENTLY (see
 * docs/operations/scaling.md), which this migration, run in a transaction, cannot.
 */
export class Migration20261208010000_retention extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create index if not exists "security_event_at_idx" on "security_event" ("at");`);
    this.addSql(`create index if not exists "session_expires_idx" on "session" ("expires_at");`);
    this.addSql(`create index if not exists "session_revoked_idx" on "session" ("revoked_at") where "revoked_at" is not null;`);
    this.addSql(`create index if not exists "email_token_expires_idx" on "email_token" ("expires_at");`);
    this.addSql(
      `create index if not exists "mail_outbox_finished_idx" on "mail_outbox" ("created_at") where "status" <> 'pending';`,
    );
    this.addSql(`create index if not exists "oauth_state_expires_idx" on "oauth_state" ("expires_at");`);
  }

  override async down(): Promise<void> {
    for (const index of [
      'security_event_at_idx',
      'session_expires_idx',
      'session_revoked_idx',
      'email_token_expires_idx',
      'mail_outbox_finished_idx',
      'oauth_state_expires_idx',
    ]) {
      this.addSql(`drop index if exists "${index}";`);
    }
  }
}
