import { pino, type DestinationStream, type Logger } from 'pino';
import { serializeError } from './db/log-safe-error.js';
import { prettyStream } from './logger-pretty.js';

export type { Logger };

/**
 * Paths pino blanks wherever they appear in a log object. Code never logs these on purpose;
 * this is the net under that rule.
 */
export const redactedPaths = [
  'password',
  '*.password',
  '*.*.password',
  'token',
  '*.token',
  'accessToken',
  '*.accessToken',
  'refreshToken',
  '*.refreshToken',
  'authorization',
  'cookie',
  '*.authorization',
  '*.cookie',
  '*.headers.authorization',
  '*.headers.cookie',
  '*.headers["set-cookie"]',
  'variables',
  '*.variables',
];

/**
 * Without a destination, the logger writes to stdout through {@link bufferedStdout}; `pretty`: human-readable
 * lines for a developer's terminal (pino-pretty) instead of JSON.
 */
export function createLogger(options: { level: string; destination?: DestinationStream; pretty?: boolean }): Logger {
  return pino(
    {
      level: options.level,
      base: { service: 'tollgate' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: redactedPaths, censor: '[redacted]' },
      serializers: { err: serializeError },
      formatters: { level: (label) => ({ level: label }) },
    },
    options.pretty ? prettyStream(options.destination) : (options.destination ?? bufferedStdout()),
  );
}

/**
 * For lines whose every key is set by Tollgate itself and none is on the redaction list (the request line):
 * the same stream, level and format without the redaction pass, which was two thirds of such a line's CPU.
 */
export const unredacted = (logger: Logger): Logger => logger.child({}, { redact: [] });

const BATCH_BYTES = 4096;

/**
 * stdout, written asynchronously in batches of at least 4 KiB: a write syscall per line cost more than the
 * rest of a cheap request on these VMs. A quiet process still writes what it has within `idleFlushMs`, and
 * pino writes out whatever is left, synchronously, when the process exits, a fatal error included (it
 * registers that for every pino.destination that is not sync).
 */
export function bufferedStdout(idleFlushMs = 1000): DestinationStream & {
  flush(cb?: (err?: Error) => void): void;
  flushSync(): void;
} {
  const stream = pino.destination({ dest: 1, sync: false, minLength: BATCH_BYTES });
  let unflushed = false;
  const timer = setInterval(() => {
    if (!unflushed) return;
    unflushed = false;
    stream.flush();
  }, idleFlushMs).unref();
  stream.once('close', () => clearInterval(timer));
  return {
    write(line: string) {
      unflushed = true;
      return stream.write(line);
    },
    flush: (cb) => stream.flush(cb),
    flushSync: () => stream.flushSync(),
  };
}
