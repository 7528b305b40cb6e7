import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface BenchDatabase {
  name: string;
  url: string;
  serverVersion: string;
  drop(): Promise<void>;
  /** Makes a user ADMIN, as `npm run admin -- grant` would. */
  promote(userId: string): Promise<void>;
  /** Mail in the outbox not yet sent or given up. */
  pendingMail(): Promise<number>;
}

/** A database that lives for one run, so results never depend on what an earlier run left behind. */
export async function createBenchDatabase(adminUrl: string): Promise<BenchDatabase> {
  const name = `tollgate_bench_${randomBytes(5).toString('hex')}`;
  const serverVersion = await withAdmin(adminUrl, async (admin) => {
    await admin.query(`create database "${name}"`);
    const { rows } = await admin.query<{ server_version: string }>('show server_version');
    return rows[0]?.server_version ?? 'unknown';
  });
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  let dropped: Promise<void> | undefined;
  return {
    name,
    url: url.toString(),
    serverVersion,
    promote: async (userId) => {
      await withAdmin(url.toString(), (db) => db.query(`update app_user set tier = 'ADMIN' where id = $1`, [userId]));
    },
    pendingMail: () =>
      withAdmin(url.toString(), async (db) => {
        const { rows } = await db.query<{ n: string }>(`select count(*) as n from mail_outbox where status = 'pending'`);
        return Number(rows[0]?.n ?? 0);
      }),
    // FORCE ends sessions a killed child may have left open.
    drop: () =>
      (dropped ??= withAdmin(adminUrl, (admin) => admin.query(`drop database if exists "${name}" with (force)`)).then(() => {})),
  };
}

async function withAdmin<T>(adminUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
