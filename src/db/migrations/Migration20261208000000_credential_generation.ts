import { Migration } from '@mikro-orm/migrations';

const eventTypesBefore = [
  'REGISTERED',
  'LOGIN_SUCCEEDED',
  'LOGIN_FAILED',
  'LOGIN_THROTTLED',
  'TOKEN_REFRESHED',
  'REFRESH_TOKEN_REUSED',
  'LOGGED_OUT',
  'SESSION_REVOKED',
  'PASSWORD_REHASHED',
  'OAUTH_LINKED',
  'OAUTH_LOGIN',
  'OAUTH_UNLINKED',
  'EMAIL_VERIFIED',
  'PASSWORD_RESET',
  'PASSWORD_CHANGED',
  'EMAIL_CHANGED',
];
const eventTypesAfter = [...eventTypesBefore, 'EMAIL_CHANGE_REVERTED', 'REAUTH_FAILED'];
const quoted = (values: string[]) => values.map((v) => `'${v}'`).join(', ');

/**
 * The credential generation (security stamp): one counter per account, bumped by every event that changes
 * who can get in; sessions and mailed tokens record the one they were issued under. Existing rows start at
 * 0 alike, so nothing outstanding is ended by the migration itself. Email tokens gain the undo purpose.
 */
export class Migration20261208000000_credential_generation extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "app_user" add column "credential_generation" int not null default 0;`);
    this.addSql(`alter table "session" add column "generation" int not null default 0;`);
    this.addSql(`alter table "email_token" add column "generation" int not null default 0;`);
    this.addSql(`alter table "email_token" drop constraint if exists "email_token_purpose_check";`);
    this.addSql(
      `alter table "email_token" add constraint "email_token_purpose_check" check ("purpose" in ('VERIFY_EMAIL', 'RESET_PASSWORD', 'CHANGE_EMAIL', 'REVERT_EMAIL_CHANGE'));`,
    );
    // A reset asked at a former address finds the account through its undo link.
    this.addSql(`create index "email_token_email_idx" on "email_token" ("email");`);
    this.addSql(`alter table "security_event" drop constraint if exists "security_event_type_check";`);
    this.addSql(
      `alter table "security_event" add constraint "security_event_type_check" check("type" in (${quoted(eventTypesAfter)}));`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`delete from "security_event" where "type" in ('EMAIL_CHANGE_REVERTED', 'REAUTH_FAILED');`);
    this.addSql(`alter table "security_event" drop constraint if exists "security_event_type_check";`);
    this.addSql(
      `alter table "security_event" add constraint "security_event_type_check" check("type" in (${quoted(eventTypesBefore)}));`,
    );
    this.addSql(`drop index if exists "email_token_email_idx";`);
    this.addSql(`delete from "email_token" where "purpose" = 'REVERT_EMAIL_CHANGE';`);
    this.addSql(`alter table "email_token" drop constraint if exists "email_token_purpose_check";`);
    this.addSql(
      `alter table "email_token" add constraint "email_token_purpose_check" check ("purpose" in ('VERIFY_EMAIL', 'RESET_PASSWORD', 'CHANGE_EMAIL'));`,
    );
    this.addSql(`alter table "email_token" drop column "generation";`);
    this.addSql(`alter table "session" drop column "generation";`);
    this.addSql(`alter table "app_user" drop column "credential_generation";`);
  }
}
