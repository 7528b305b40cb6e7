import { Migration } from '@mikro-orm/migrations';

export class Migration20261123180000_email_verified extends Migration {
  override async up(): Promise<void> {
    // Existing accounts never proved their address: they start unverified, so none receives an automatic link.
    this.addSql(`alter table "app_user" add column "email_verified" boolean not null default false;`);
    // States are short-lived; one started before this change has no binding and can never be finished.
    this.addSql(`delete from "oauth_state";`);
    this.addSql(`alter table "oauth_state" add column "binding_hash" varchar(64) not null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "oauth_state" drop column "binding_hash";`);
    this.addSql(`alter table "app_user" drop column "email_verified";`);
  }
}
