import { Migration } from '@mikro-orm/migrations';

export class Migration20261123183000_accounts_mail extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "email_token" ("token_hash" varchar(64) not null, "user_id" uuid not null, "purpose" text check ("purpose" in ('VERIFY_EMAIL', 'RESET_PASSWORD', 'CHANGE_EMAIL')) not null, "email" varchar(254) not null, "new_email" varchar(254) null, "created_at" timestamptz not null, "expires_at" timestamptz not null, constraint "email_token_pkey" primary key ("token_hash"));`,
    );
    this.addSql(`create index "email_token_user_idx" on "email_token" ("user_id");`);
    this.addSql(
      `alter table "email_token" add constraint "email_token_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `create table "mail_outbox" ("id" uuid not null, "kind" text check ("kind" in ('VERIFY_EMAIL', 'RESET_PASSWORD', 'CONFIRM_EMAIL_CHANGE', 'EMAIL_CHANGED', 'PASSWORD_CHANGED', 'NEW_SIGN_IN')) not null, "recipient" varchar(254) not null, "subject" varchar(255) not null, "text_body" text null, "html_body" text null, "status" varchar(16) not null default 'pending', "attempts" int not null default 0, "next_attempt_at" timestamptz not null, "lease_until" timestamptz null, "last_error" varchar(500) null, "created_at" timestamptz not null, "sent_at" timestamptz null, constraint "mail_outbox_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "mail_outbox_due_idx" on "mail_outbox" ("status", "next_attempt_at");`);

    this.addSql(`alter table "security_event" drop constraint if exists "security_event_type_check";`);
    this.addSql(
      `alter table "security_event" add constraint "security_event_type_check" check("type" in ('REGISTERED', 'LOGIN_SUCCEEDED', 'LOGIN_FAILED', 'LOGIN_THROTTLED', 'TOKEN_REFRESHED', 'REFRESH_TOKEN_REUSED', 'LOGGED_OUT', 'SESSION_REVOKED', 'PASSWORD_REHASHED', 'OAUTH_LINKED', 'OAUTH_LOGIN', 'OAUTH_UNLINKED', 'EMAIL_VERIFIED', 'PASSWORD_RESET', 'PASSWORD_CHANGED', 'EMAIL_CHANGED'));`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "email_token" cascade;`);
    this.addSql(`drop table if exists "mail_outbox" cascade;`);
    this.addSql(
      `delete from "security_event" where "type" in ('EMAIL_VERIFIED', 'PASSWORD_RESET', 'PASSWORD_CHANGED', 'EMAIL_CHANGED');`,
    );
    this.addSql(`alter table "security_event" drop constraint if exists "security_event_type_check";`);
    this.addSql(
      `alter table "security_event" add constraint "security_event_type_check" check("type" in ('REGISTERED', 'LOGIN_SUCCEEDED', 'LOGIN_FAILED', 'LOGIN_THROTTLED', 'TOKEN_REFRESHED', 'REFRESH_TOKEN_REUSED', 'LOGGED_OUT', 'SESSION_REVOKED', 'PASSWORD_REHASHED', 'OAUTH_LINKED', 'OAUTH_LOGIN', 'OAUTH_UNLINKED'));`,
    );
  }
}
