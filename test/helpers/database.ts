import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The server tests create their databases on; its user must be allowed to CREATE DATABASE. */
export const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A new, empty database for one test file, so files can run in parallel. */
export async function createTestDatabase(): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `tollgate_test_${randomBytes(6).toString('hex')}`;
  await withAdmin((c) => c.query(`create database "${name}"`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () => withAdmin((c) => c.query(`drop database if exists "${name}" with (force)`)).then(() => undefined),
  };
}

/** Takes the database away from a running app, as an outage would, until the returned function is called. */
export async function cutOff(name: string): Promise<() => Promise<void>> {
  await withAdmin(async (c) => {
    await c.query(`alter database "${name}" allow_connections false`);
    await c.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1', [name]);
  });
  return () => withAdmin((c) => c.query(`alter database "${name}" allow_connections true`)).then(() => undefined);
}
