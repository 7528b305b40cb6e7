import { Migration } from '@mikro-orm/migrations';

export class Migration20261122011003_oauth extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "oauth_state" ("state_hash" varchar(64) not null, "provider" text check ("provider" in ('GOOGLE', 'GITHUB')) not null, "code_verifier" varchar(128) not null, "nonce" varchar(128) not null, "redirect_uri" varchar(2048) not null, "link_user_id" uuid null, "expires_at" timestamptz not null, constraint "oauth_state_pkey" primary key ("state_hash"));`,
    );

    this.addSql(
      `create table "oauth_account" ("id" uuid not null, "provider" text check ("provider" in ('GOOGLE', 'GITHUB')) not null, "provider_user_id" varchar(255) not null, "user_id" uuid not null, "created_at" timestamptz not null, constraint "oauth_account_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "oauth_account_user_idx" on "oauth_account" ("user_id");`);
    this.addSql(
      `alter table "oauth_account" add constraint "oauth_account_user_provider_unique" unique ("user_id", "provider");`,
    );
    this.addSql(
      `alter table "oauth_account" add constraint "oauth_account_identity_unique" unique ("provider", "provider_user_id");`,
    );

    this.addSql(
      `alter table "oauth_account" add constraint "oauth_account_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(`alter table "security_event" drop constraint if exists "security_event_type_check";`);

    this.addSql(`alter table "app_user" alter column "password_hash" type varchar(255) using ("password_hash"::varchar(255));`);
    this.addSql(`alter table "app_user" alter column "password_hash" drop not null;`);

    this.addSql(
      `alter table "security_event" add constraint "security_event_type_check" check("type" in ('REGISTERED', 'LOGIN_SUCCEEDED', 'LOGIN_FAILED', 'TOKEN_REFRESHED', 'REFRESH_TOKEN_REUSED', 'LOGGED_OUT', 'SESSION_REVOKED', 'PASSWORD_REHASHED', 'OAUTH_LINKED', 'OAUTH_LOGIN', 'OAUTH_UNLINKED'));`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "oauth_state" cascade;`);

    this.addSql(`drop table if exists "oauth_account" cascade;`);

    this.addSql(`alter table "security_event" drop constraint if exists "security_event_type_check";`);

    this.addSql(`alter table "app_user" alter column "password_hash" type varchar(255) using ("password_hash"::varchar(255));`);
    this.addSql(`alter table "app_user" alter column "password_hash" set not null;`);

    this.addSql(
      `alter table "security_event" add constraint "security_event_type_check" check("type" in ('REGISTERED', 'LOGIN_SUCCEEDED', 'LOGIN_FAILED', 'TOKEN_REFRESHED', 'REFRESH_TOKEN_REUSED', 'LOGGED_OUT', 'SESSION_REVOKED', 'PASSWORD_REHASHED'));`,
    );
  }
}
