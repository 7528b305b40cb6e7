import { Migration } from '@mikro-orm/migrations';

export class Migration20261122004459_progress extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "service_account" ("id" uuid not null, "name" varchar(100) not null, "key_hash" varchar(64) not null, "key_prefix" varchar(16) not null, "created_by" uuid not null, "created_at" timestamptz not null, "revoked_at" timestamptz null, constraint "service_account_pkey" primary key ("id"));`,
    );
    this.addSql(`alter table "service_account" add constraint "service_account_key_hash_unique" unique ("key_hash");`);

    this.addSql(
      `create table "resource_progress" ("resource_id" varchar(128) not null, "owner_id" uuid not null, "stages" jsonb not null, "updated_at" timestamptz not null, "expires_at" timestamptz not null, constraint "resource_progress_pkey" primary key ("resource_id"));`,
    );
    this.addSql(`create index "resource_progress_owner_idx" on "resource_progress" ("owner_id");`);
    this.addSql(`create index "resource_progress_expires_idx" on "resource_progress" ("expires_at");`);

    this.addSql(
      `alter table "resource_progress" add constraint "resource_progress_owner_id_foreign" foreign key ("owner_id") references "app_user" ("id") on update cascade on delete cascade;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "service_account" cascade;`);

    this.addSql(`drop table if exists "resource_progress" cascade;`);
  }
}
