import { ConfigError } from '../config.js';

/**
 * Thrown by a command for an outcome the operator must act on; its message is the whole story.
 * `status` 2 is a usage error, as in most command-line tools.
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly status = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/**
 * How the operator ran a command, so messages name the way to run it again: `npm run admin` from a
 * checkout (tsx on src/), `node dist/cli/admin.js` from a build or the Docker image.
 */
export function commandName(name: string): string {
  return process.argv[1]?.endsWith('.ts') ? `npm run ${name}` : `node dist/cli/${name}.js`;
}

/**
 * Runs a command and turns whatever stops it into one line on stderr and a non-zero exit status: an
 * operator at a terminal (or reading `docker compose` output) needs the reason, not a stack trace.
 */
export async function runCli(name: string, main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    process.stderr.write(`${name}: ${describe(error)}\n`);
    process.exitCode = error instanceof CliError ? error.status : 1;
  }
}

function describe(error: unknown): string {
  if (error instanceof ConfigError) return `invalid configuration: ${error.problems.join('; ')}`;
  return oneLine(messageOf(error));
}

/** pg reports a refused dual-stack connect as an AggregateError without a message of its own. */
function messageOf(error: unknown): string {
  if (error instanceof AggregateError && !error.message) return error.errors.map(messageOf).join('; ');
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' ').trim();
