import 'reflect-metadata';
import { canonicalEmail } from '../modules/auth/credentials.rules.js';
import { Tier } from '../modules/user/tier.js';
import { userStore } from '../modules/user/user.store.js';
import { createAdminService } from '../modules/admin/admin.service.js';
import { createAuditLog } from '../modules/audit/audit.service.js';
import { systemClock } from '../clock.js';
import { openDatabaseForCli } from './open-database.js';
import { CliError, commandName, runCli } from './run.js';

// npm run admin -- grant <email>   makes that user ADMIN (the only way to create the first admin)
// npm run admin -- revoke <email>  makes that user FREE again
// In the image: node dist/cli/admin.js grant <email>. Reads only the database settings (DATABASE_URL,
// or the embedded database); the change applies to the user's next request, and their current access
// token must be refreshed.
const command = commandName('admin');
await runCli(command, async () => {
  const [verb, email] = process.argv.slice(2);
  const tiers: Record<string, Tier> = { grant: Tier.ADMIN, revoke: Tier.FREE };
  const tier = verb ? tiers[verb] : undefined;
  const usage = command.startsWith('npm') ? `${command} --` : command;
  if (!tier || !email) throw new CliError(`usage: ${usage} grant <email> | ${usage} revoke <email>`, 2);

  const db = await openDatabaseForCli(command);
  try {
    const em = db.orm.em.fork();
    const user = await userStore.findByEmail(em, canonicalEmail(email));
    if (!user) throw new CliError(`no user with the email ${canonicalEmail(email)}; nothing was changed.`);
    // Through the admin service, so the change is audited like one made over the API (no actor, no address).
    const audit = createAuditLog({ clock: systemClock, retentionDays: 1 }); // retention: unused, the CLI never purges
    await createAdminService(audit).setTier(em, user.id, tier, { id: null, clientAddress: null });
    process.stdout.write(`${user.email} is now ${tier}.\n`);
  } finally {
    await db.close();
  }
});
