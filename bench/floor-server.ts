import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import pg from 'pg';
import type { RequestContext } from '../src/modules/request/request-context.js';
import { createHttpServer } from '../src/http/server.js';
import { createLogger } from '../src/logger.js';

/**
 * The floors Tollgate's `me` is measured against: Apollo Server over Tollgate's own HTTP integration,
 * answering `{ me { id email } }` with nothing else (floor a) or with one primary-key lookup (floor b).
 * Prints {"port": n} once listening. The bench process sets FLOOR_DATABASE_URL and FLOOR_USER_ID for b.
 */

const databaseUrl = process.env.FLOOR_DATABASE_URL;
const userId = process.env.FLOOR_USER_ID ?? '00000000-0000-0000-0000-000000000000';
const pool = databaseUrl ? new pg.Pool({ connectionString: databaseUrl, max: 10 }) : null;

const constantUser = { id: userId, email: 'floor@bench.example.com' };

const apollo = new ApolloServer<RequestContext>({
  typeDefs: 'type User { id: ID! email: String! } type Query { me: User! }',
  resolvers: {
    Query: {
      me: pool
        ? async () => (await pool.query('select id, email from app_user where id = $1', [userId])).rows[0]
        : () => constantUser,
    },
  },
});
await apollo.start();

const http = createHttpServer({
  apollo,
  log: createLogger({ level: 'warn' }),
  maxBodyBytes: 100 * 1024,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  maxConnectionsPerAddress: 0,
  corsOrigins: [],
  // The floor's resolvers read nothing from the context; Tollgate's own fields would only add its costs.
  buildContext: (_req, _res, requestId, log) => ({ requestId, log }) as unknown as RequestContext,
  routes: {},
});
http.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (http.address() as AddressInfo).port })}\n`);
});

const shutdown = () => {
  http.closeAllConnections();
  http.close(() => {
    void Promise.all([apollo.stop(), pool?.end()]).finally(() => process.exit(0));
  });
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
