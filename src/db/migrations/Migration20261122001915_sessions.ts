import { Migration } from '@mikro-orm/migrations';

export class Migration20261122001915_sessions extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "security_event" ("id" uuid not null, "user_id" uuid not null, "session_id" uuid null, "type" text check ("type" in ('REGISTERED', 'LOGIN_SUCCEEDED', 'LOGIN_FAILED', 'TOKEN_REFRESHED', 'REFRESH_TOKEN_REUSED', 'LOGGED_OUT', 'SESSION_REVOKED', 'PASSWORD_REHASHED')) not null, "at" timestamptz not null, "ip" varchar(45) null, "user_agent" varchar(512) null, constraint "security_event_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "security_event_user_at_idx" on "security_event" ("user_id", "at");`);

    this.addSql(
      `alter table "security_event" add constraint "security_event_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on update cascade on delete cascade;`,
    );

    // Sessions made before rotation existed have no secret to derive successors with: end them.
    this.addSql(`alter table "session" add column "rotation_secret" varchar(64) not null default '';`);
    this.addSql(`alter table "session" alter column "rotation_secret" drop default;`);
    this.addSql(
      `update "session" set "revoked_at" = now(), "revoked_reason" = 'upgrade' where "rotation_secret" = '' and "revoked_at" is null;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "security_event" cascade;`);

    this.addSql(`alter table "session" drop column "rotation_secret";`);
  }
}
