import { Migration20261122000631_initial } from './Migration20261122000631_initial.js';
import { Migration20261122001915_sessions } from './Migration20261122001915_sessions.js';
import { Migration20261122004459_progress } from './Migration20261122004459_progress.js';
import { Migration20261122011003_oauth } from './Migration20261122011003_oauth.js';
import { Migration20261123174125_login_throttled } from './Migration20261123174125_login_throttled.js';
import { Migration20261123180000_email_verified } from './Migration20261123180000_email_verified.js';
import { Migration20261123183000_accounts_mail } from './Migration20261123183000_accounts_mail.js';
import { Migration20261208000000_credential_generation } from './Migration20261208000000_credential_generation.js';
import { Migration20261208003000_audit_log } from './Migration20261208003000_audit_log.js';
import { Migration20261208003000_sealed_outbox } from './Migration20261208003000_sealed_outbox.js';
import { Migration20261208010000_retention } from './Migration20261208010000_retention.js';

/** Every migration, in order. A new one is created with `npm run migration:create` and added here. */
export const migrationsList = [
  { name: 'Migration20261122000631_initial', class: Migration20261122000631_initial },
  { name: 'Migration20261122001915_sessions', class: Migration20261122001915_sessions },
  { name: 'Migration20261122004459_progress', class: Migration20261122004459_progress },
  { name: 'Migration20261122011003_oauth', class: Migration20261122011003_oauth },
  { name: 'Migration20261123174125_login_throttled', class: Migration20261123174125_login_throttled },
  { name: 'Migration20261123180000_email_verified', class: Migration20261123180000_email_verified },
  { name: 'Migration20261123183000_accounts_mail', class: Migration20261123183000_accounts_mail },
  { name: 'Migration20261208000000_credential_generation', class: Migration20261208000000_credential_generation },
  { name: 'Migration20261208003000_audit_log', class: Migration20261208003000_audit_log },
  { name: 'Migration20261208003000_sealed_outbox', class: Migration20261208003000_sealed_outbox },
  { name: 'Migration20261208010000_retention', class: Migration20261208010000_retention },
];
