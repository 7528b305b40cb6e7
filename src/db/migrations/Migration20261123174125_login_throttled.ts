import { Migration } from '@mikro-orm/migrations';

export class Migration20261123174125_login_throttled extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "security_event" drop constraint if exists "security_event_type_check";`);

    this.addSql(
      `alter table "security_event" add constraint "security_event_type_check" check("type" in ('REGISTERED', 'LOGIN_SUCCEEDED', 'LOGIN_FAILED', 'LOGIN_THROTTLED', 'TOKEN_REFRESHED', 'REFRESH_TOKEN_REUSED', 'LOGGED_OUT', 'SESSION_REVOKED', 'PASSWORD_REHASHED', 'OAUTH_LINKED', 'OAUTH_LOGIN', 'OAUTH_UNLINKED'));`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "security_event" drop constraint if exists "security_event_type_check";`);

    this.addSql(
      `alter table "security_event" add constraint "security_event_type_check" check("type" in ('REGISTERED', 'LOGIN_SUCCEEDED', 'LOGIN_FAILED', 'TOKEN_REFRESHED', 'REFRESH_TOKEN_REUSED', 'LOGGED_OUT', 'SESSION_REVOKED', 'PASSWORD_REHASHED', 'OAUTH_LINKED', 'OAUTH_LOGIN', 'OAUTH_UNLINKED'));`,
    );
  }
}
