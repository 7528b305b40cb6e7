import { pino, type DestinationStream, type Logger } from 'pino';
import { serializeError } from './db/log-safe-error.js';
import { prettyStream } from './logger-pretty.js';

export type { Logger };

/**
 * Keys whose values no log line shows, wherever they stand in a logged object (to {@link CENSOR_DEPTH}
 * levels: `req.headers.cookie`, `input.credentials.password`). Code never logs these on purpose; this is
 * the net under that rule. Node lowercases header names, so these are matched as written.
 */
export const secretKeys: ReadonlySet<string> = new Set([
  'password',
  'token',
  'accessToken',
  'refreshToken',
  'authorization',
  'cookie',
  'set-cookie',
  'variables',
]);
export const CENSOR = '[redacted]';
export const CENSOR_DEPTH = 4;

/**
 * The value with every {@link secretKeys} entry replaced by {@link CENSOR}, down to `depth` levels. Pure, and
 * copy-on-write: an object holding no secret key is returned as it is, and one that does is copied (its
 * prototype and every own property kept) along the path to the key, never changed in place. Dates, buffers
 * and typed arrays are leaves. This replaces pino's `redact` option, which ran its path matcher over every property of every line
 * (pino 10's @pinojs/redact: a sixth of what a sign-in allocated, for a line of three short fields).
 */
export function censorSecrets<T>(value: T, depth = CENSOR_DEPTH): T {
  if (depth <= 0 || value === null || typeof value !== 'object' || value instanceof Date || ArrayBuffer.isView(value))
    return value;
  const source = value as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(source)) {
    const field = source[key];
    const censored = secretKeys.has(key) && field !== undefined ? CENSOR : censorSecrets(field, depth - 1);
    if (censored === field) continue;
    copy ??= Array.isArray(source) ? ([...source] as unknown as Record<string, unknown>) : copyOf(source);
    Object.defineProperty(copy, key, { value: censored, enumerable: true, writable: true, configurable: true });
  }
  return (copy ?? value) as T;
}

/**
 * Every own property, an Error's unenumerable message and stack included, each redefinable (a frozen one too).
 * An accessor is copied as the value it gives on the source: from Node 24 an Error's `stack` is a getter
 * that reads the error's internal state, so the getter itself, moved onto the copy, would read nothing.
 */
function copyOf(source: object): Record<string, unknown> {
  const descriptors = Object.getOwnPropertyDescriptors(source);
  for (const [key, descriptor] of Object.entries(descriptors)) {
    if (descriptor.get || descriptor.set) {
      descriptors[key] = { value: Reflect.get(source, key), writable: true, enumerable: descriptor.enumerable };
    }
    descriptors[key]!.configurable = true;
  }
  return Object.create(Object.getPrototypeOf(source) as object | null, descriptors) as Record<string, unknown>;
}

/**
 * Without a destination, the logger writes to stdout through {@link bufferedStdout}; `pretty`: human-readable
 * lines for a developer's terminal (pino-pretty) instead of JSON.
 */
export function createLogger(options: { level: string; destination?: DestinationStream; pretty?: boolean }): Logger {
  const logger = pino(
    {
      level: options.level,
      base: { service: 'tollgate' },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Secrets are censored in the object each line logs and in a serialised error; bindings below.
      serializers: { err: (err: unknown) => censorSecrets(serializeError(err)) },
      formatters: {
        level: (label) => ({ level: label }),
        log: (object) => censorSecrets(object),
      },
    },
    options.pretty ? prettyStream(options.destination) : (options.destination ?? bufferedStdout()),
  );
  // Bindings are serialised once, when a child is made or setBindings called, and pino gives its bindings
  // formatter to the root alone: these two censor what any logger binds (children inherit both methods).
  const { child, setBindings } = logger;
  logger.child = function (this: Logger, bindings, childOptions) {
    return child.call(this, censorSecrets(bindings), childOptions);
  } as typeof child;
  logger.setBindings = function (this: Logger, bindings) {
    setBindings.call(this, censorSecrets(bindings));
  };
  return logger;
}

/**
 * A child logger bound to one request, made on first use: most requests log nothing but their request line,
 * and a pino child serialises its bindings and copies its parent's settings when it is made.
 */
export function lazyChild(logger: Logger, bindings: Record<string, unknown>): () => Logger {
  let child: Logger | undefined;
  return () => (child ??= logger.child(bindings));
}

/** `traceId`: the request's trace, when tracing (32 hex digits from the tracer, never from the client). */
export type RequestLine = (reqId: string, method: string, path: string, status: number, ms: number, traceId?: string) => void;

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
  return (reqId, method, path, status, ms, traceId) => {
    const now = Date.now();
    if (now !== lastMs) {
      lastMs = now;
      lastTime = new Date(now).toISOString();
    }
    stream.write(
      `{"level":"info","time":"${lastTime}"${bindings},"reqId":"${reqId}"${traceId ? `,"traceId":"${traceId}"` : ''},"method":"${method}",` +
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
