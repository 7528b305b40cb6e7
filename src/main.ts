import { createApp } from './app.js';
import { ConfigError, parseConfig, readEnvironment } from './config.js';
import { DataDirInUseError } from './db/data-dir-lock.js';
import { PendingMigrationsError } from './db/pending-migrations.js';
import { createLogger } from './logger.js';

// `npm run start:prod` passes --production: it runs in production even when the shell exports no NODE_ENV.
const production = process.argv.slice(2).includes('--production');

let config: ReturnType<typeof parseConfig>;
try {
  config = parseConfig(readEnvironment({ production }));
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`Tollgate did not start. ${error.message}\n`);
  process.exit(1);
}

// Pretty lines for a developer at a terminal; JSON wherever a machine reads the output.
const logger = createLogger({ level: config.logLevel, pretty: config.env === 'development' && process.stdout.isTTY });
try {
  const app = await createApp({ config, logger });
  logger.info({ url: `${app.url}/graphql`, env: config.env }, `Tollgate is listening on ${app.url}/graphql`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    app.close().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
} catch (err) {
  logger.fatal({ err }, 'Tollgate did not start');
  // What an operator must act on gets one plain line besides the log entry.
  if (err instanceof DataDirInUseError || err instanceof PendingMigrationsError) {
    process.stderr.write(`Tollgate did not start. ${err.message}\n`);
  }
  process.exit(1);
}
