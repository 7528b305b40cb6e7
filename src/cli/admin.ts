import 'reflect-metadata';
import { openDatabaseForCli } from './open-database.js';
import { canonicalEmail } from '../modules/auth/credentials.rules.js';
import { Tier } from '../modules/user/tier.js';
import { userStore } from '../modules/user/user.store.js';
import { createAdminService } from '../modules/admin/admin.service.js';
import { createAuditLog } from '../modules/audit/audit.service.js';
import { systemClock } from '../clock.js';

// npm run admin -- grant <email>   makes that user ADMIN (the only way to create the first admin)
// npm run admin -- revoke <email>  makes that user FREE again
// Runs against the server's DATABASE_URL (or the embedded database); the change applies to the
// user's next request, and their current access token must be refreshed.
const [command, email] = process.argv.slice(2);
const tiers: Record<string, Tier> = { grant: Tier.ADMIN, revoke: Tier.FREE };
const tier = command ? tiers[command] : undefined;
if (!tier || !email) {
  process.stderr.write('usage: npm run admin -- grant <email> | revoke <email>\n');
  process.exit(2);
}

const db = await openDatabaseForCli('npm run admin');
const { orm } = db;
try {
  const em = orm.em.fork();
  const user = await userStore.findByEmail(em, canonicalEmail(email));
  if (!user) {
    process.stderr.write(`No user with the email ${canonicalEmail(email)}.\n`);
    process.exitCode = 1;
  } else {
    // Through the admin service, so the change is audited like one made over the API (no actor, no address).
    const audit = createAuditLog({ clock: systemClock, retentionDays: 1 }); // retention: unused, the CLI never purges
    await createAdminService(audit).setTier(em, user.id, tier, { id: null, clientAddress: null });
    process.stdout.write(`${user.email} is now ${tier}.\n`);
  }
} finally {
  await db.close();
}
