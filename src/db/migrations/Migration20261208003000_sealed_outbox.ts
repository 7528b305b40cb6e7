import { Migration } from '@mikro-orm/migrations';

export class Migration20261208003000_sealed_outbox extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "mail_outbox" add column "user_id" uuid null, add column "sealed" text null;`);
    this.addSql(`update "mail_outbox" o set "user_id" = u."id" from "app_user" u where u."email" = o."recipient";`);
    // Mail still waiting was written in clear (its link readable by anyone who reads the database): it is not
    // worth keeping. It is given up; the person asks again and gets a sealed one.
    this.addSql(
      `update "mail_outbox" set "status" = 'dead', "lease_until" = null, "last_error" = 'stored unsealed before an upgrade; given up' where "status" = 'pending';`,
    );
    // Mail of no account (there is none today) would name an address no deletion can reach.
    this.addSql(`delete from "mail_outbox" where "user_id" is null;`);
    this.addSql(`alter table "mail_outbox" alter column "user_id" set not null;`);
    this.addSql(
      `alter table "mail_outbox" drop column "recipient", drop column "subject", drop column "text_body", drop column "html_body";`,
    );
    this.addSql(`create index "mail_outbox_user_idx" on "mail_outbox" ("user_id");`);
    // Deleting an account takes its mail with it, including mail a background task writes meanwhile.
    this.addSql(
      `alter table "mail_outbox" add constraint "mail_outbox_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(`alter table "mail_outbox" drop constraint if exists "mail_outbox_kind_check";`);
    this.addSql(
      `alter table "mail_outbox" add constraint "mail_outbox_kind_check" check ("kind" in ('VERIFY_EMAIL', 'RESET_PASSWORD', 'CONFIRM_EMAIL_CHANGE', 'EMAIL_CHANGED', 'PASSWORD_CHANGED', 'NEW_SIGN_IN', 'SIGN_UP_ATTEMPT'));`,
    );
  }

  override async down(): Promise<void> {
    // Sealed bodies cannot be opened here; the rows go.
    this.addSql(`delete from "mail_outbox";`);
    this.addSql(`alter table "mail_outbox" drop constraint if exists "mail_outbox_kind_check";`);
    this.addSql(
      `alter table "mail_outbox" add constraint "mail_outbox_kind_check" check ("kind" in ('VERIFY_EMAIL', 'RESET_PASSWORD', 'CONFIRM_EMAIL_CHANGE', 'EMAIL_CHANGED', 'PASSWORD_CHANGED', 'NEW_SIGN_IN'));`,
    );
    this.addSql(`alter table "mail_outbox" drop constraint "mail_outbox_user_id_foreign";`);
    this.addSql(`drop index "mail_outbox_user_idx";`);
    this.addSql(
      `alter table "mail_outbox" drop column "user_id", drop column "sealed", add column "recipient" varchar(254) not null, add column "subject" varchar(255) not null, add column "text_body" text null, add column "html_body" text null;`,
    );
  }
}
