import { Migration } from '@mikro-orm/migrations';

export class Migration20261208003000_audit_log extends Migration {
  override async up(): Promise<void> {
    // No foreign keys: an entry outlives the admin who acted and the user or service account acted on.
    this.addSql(
      `create table "audit_entry" ("id" uuid not null, "action" text check ("action" in ('TIER_CHANGED', 'SERVICE_ACCOUNT_CREATED', 'SERVICE_ACCOUNT_REVOKED')) not null, "actor_id" uuid null, "target_id" uuid not null, "at" timestamptz not null, "client_address" varchar(45) null, constraint "audit_entry_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "audit_entry_at_idx" on "audit_entry" ("at", "id");`);
    // Append-only, held by the database: no update ever, and a delete only from the retention purge, which
    // says so for its own transaction (set_config('tollgate.audit_purge', 'on', true)). Truncate is refused too.
    this.addSql(`create function "audit_entry_append_only"() returns trigger language plpgsql as $$
begin
  if tg_op = 'DELETE' and current_setting('tollgate.audit_purge', true) = 'on' then
    return old;
  end if;
  raise exception 'audit_entry is append-only (%)', tg_op using errcode = '42501';
end
$$;`);
    this.addSql(
      `create trigger "audit_entry_append_only" before update or delete on "audit_entry" for each row execute function "audit_entry_append_only"();`,
    );
    this.addSql(
      `create trigger "audit_entry_no_truncate" before truncate on "audit_entry" for each statement execute function "audit_entry_append_only"();`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "audit_entry" cascade;`);
    this.addSql(`drop function if exists "audit_entry_append_only"();`);
  }
}
