import { Migration20261122000631_initial } from './Migration20261122000631_initial.js';
import { Migration20261122001915_sessions } from './Migration20261122001915_sessions.js';
import { Migration20261122004459_progress } from './Migration20261122004459_progress.js';

/** Every migration, in order. A new one is created with `npm run migration:create` and added here. */
export const migrationsList = [
  { name: 'Migration20261122000631_initial', class: Migration20261122000631_initial },
  { name: 'Migration20261122001915_sessions', class: Migration20261122001915_sessions },
  { name: 'Migration20261122004459_progress', class: Migration20261122004459_progress },
];
