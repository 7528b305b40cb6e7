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
 * A child logger bound to one request, made on first use: most requests log nothing but their request line,
 * and a pino child serialises its bindings and copies its parent's settings when it is made.
 */
export function lazyChild(logger: Logger, bindings: Record<string, unknown>): () => Logger {
  let child: Logger | undefined;
  return () => (child ??= logger.child(bindings));
}

export type RequestLine = (reqId: string, method: string, path: string, status: number, ms: number) => void;

/**
 * The one line every HTTP request writes, in the format pino gives any other line (level, time, the base
 * bindings, the fields, msg), built as a string and handed to the logger's own destination. Through pino it
 * cost a fifth of a cheap request's CPU: an object per line, pino's generic serialiser walking it, its
 * redaction pass. Null when the level is above info, so the caller builds nothing. `reqId` is either
 * a UUID or a header value pickRequestId checked to be a plain token, and Node only accepts token
 * methods: neither needs escaping. The path comes from the client and is escaped.
 */
export function requestLineWriter(logger: Logger): RequestLine | null {
  if (!logger.isLevelEnabled('info')) return null;
  const stream = (logger as unknown as Record<symbol, DestinationStream>)[pino.symbols.streamSym];
  const bindings = (logger as unknown as Record<symbol, string>)[pino.symbols.chindingsSym];
  if (!stream || typeof bindings !== 'string') throw new Error('requestLineWriter needs a pino logger');
  // Several requests end in the same millisecond under load: its ISO time is made once.
  let lastMs = -1;
  let lastTime = '';
  return (reqId, method, path, status, ms) => {
    const now = Date.now();
    if (now !== lastMs) {
      lastMs = now;
      lastTime = new Date(now).toISOString();
    }
    stream.write(
      `{"level":"info","time":"${lastTime}"${bindings},"reqId":"${reqId}","method":"${method}",` +
        `"path":${PLAIN_PATH.test(path) ? `"${path}"` : JSON.stringify(path)},"status":${status},"ms":${ms},"msg":"request"}\n`,
    );
  };
}

/** A path JSON needs no escape for: the usual one, written as it is. */
const PLAIN_PATH = /^[A-Za-z0-9/._~%-]*$/;

const BATCH_BYTES = 4096;

/**
 * stdout, written asynchronously in batches of at least 4 KiB: a write syscall per line cost more than the
 * rest of a cheap request on these VMs. The batch is a string here, handed to pino's destination whole:
 * left to batch by itself, the destination measured the UTF-8 length of its whole pending buffer at every
 * line (3 % of a `me` request's CPU). A quiet process still writes what it has within `idleFlushMs`; on
 * exit, a fatal error included, pino writes out what its destination holds and then this hook writes the
 * rest, synchronously.
 */
export function bufferedStdout(idleFlushMs = 1000): DestinationStream & {
  flush(cb?: (err?: Error) => void): void;
  flushSync(): void;
} {
  const stream = pino.destination({ dest: 1, sync: false });
  let batch = '';
  const handOver = () => {
    if (batch === '') return;
    const lines = batch;
    batch = '';
    stream.write(lines);
  };
  const timer = setInterval(handOver, idleFlushMs).unref();
  const onExit = () => {
    handOver();
    stream.flushSync();
  };
  process.once('exit', onExit);
  stream.once('close', () => {
    clearInterval(timer);
    process.removeListener('exit', onExit);
  });
  return {
    write(line: string) {
      batch += line;
      if (batch.length >= BATCH_BYTES) handOver();
      return true;
    },
    flush: (cb) => {
      handOver();
      stream.flush(cb);
    },
    flushSync: () => {
      handOver();
      stream.flushSync();
    },
  };
}
