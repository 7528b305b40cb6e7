import { Migration20261122000631_initial } from './Migration20261122000631_initial.js';

/** Every migration, in order. A new one is created with `npm run migration:create` and added here. */
export const migrationsList = [{ name: 'Migration20261122000631_initial', class: Migration20261122000631_initial }];
