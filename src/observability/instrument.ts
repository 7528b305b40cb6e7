import type { Cluster, Command, Redis } from 'ioredis';
import type { PasswordHasher } from '../modules/auth/password.hasher.js';
import type { MailTransport } from '../modules/mail/mail.transport.js';
import type { Metrics } from './metrics.js';
import { SpanKind, SpanStatusCode, type Tracing } from './tracing.js';

/**
 * Wrappers that report on a dependency: spans (when tracing) and metrics (when on). Each is applied by the
 * composition root only when it has something to report to, so an app without tracing runs the plain objects.
 */

/** argon2's duration and the calls in flight (metrics), and a span per call (tracing). */
export function observeHasher(hasher: PasswordHasher, metrics: Metrics | null, tracing: Tracing | null): PasswordHasher {
  const timed = <A extends unknown[], R>(operation: 'hash' | 'verify', work: (...args: A) => Promise<R>) => {
    const measured = metrics
      ? async (...args: A) => {
          metrics.hashesInFlight.inc();
          const end = metrics.hashDuration.startTimer({ operation });
          try {
            return await work(...args);
          } finally {
            end();
            metrics.hashesInFlight.dec();
          }
        }
      : work;
    return tracing
      ? (...args: A) => tracing.inSpan(`argon2 ${operation}`, SpanKind.INTERNAL, {}, () => measured(...args))
      : measured;
  };
  return {
    hash: timed('hash', (password: string) => hasher.hash(password)),
    verify: timed('verify', (stored: string, password: string) => hasher.verify(stored, password)),
    verifyDummy: timed('verify', (password: string) => hasher.verifyDummy(password)),
  };
}

/** A span per message sent (a root span: mail leaves from the outbox sender, never from a request). */
export function tracedTransport(transport: MailTransport, tracing: Tracing): MailTransport {
  return {
    send: (mail) =>
      tracing.inSpan(
        'smtp send',
        SpanKind.CLIENT,
        { 'messaging.system': 'smtp', 'tollgate.mail.kind': mail.kind },
        () => transport.send(mail),
        { root: true },
      ),
    verify: () => transport.verify(),
    close: () => transport.close(),
  };
}

/** A span per Redis command, named by the command only (keys hold callers' ids and addresses). A Cluster too. */
export function traceRedis(client: Redis | Cluster, tracing: Tracing): void {
  type Send = (this: unknown, command: Command, ...rest: unknown[]) => unknown;
  const target = client as unknown as { sendCommand: Send };
  const send = target.sendCommand;
  target.sendCommand = function (this: unknown, command: Command, ...rest: unknown[]) {
    if (!tracing.recording()) return send.call(this, command, ...rest);
    const span = tracing.tracer.startSpan(`redis ${command.name}`, {
      kind: SpanKind.CLIENT,
      attributes: { 'db.system.name': 'redis', 'db.operation.name': command.name },
    });
    command.promise.then(
      () => span.end(),
      (error: Error) => {
        span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
        span.end();
      },
    );
    return send.call(this, command, ...rest);
  };
}

type QueryFn = (...args: unknown[]) => unknown;
interface PgConnection {
  query: QueryFn;
}
interface KnexClient {
  acquireConnection(): Promise<PgConnection>;
}
const TRACED = Symbol('traced connection');

/**
 * A span per SQL statement, on every pool connection the app's knex client hands out: MikroORM's statements
 * and db/sql.ts's prepared ones alike (those bypass knex's query events). Each connection's `query` is
 * wrapped once. The span carries the statement text only when its values are sent apart (placeholders), never
 * values inlined into the text.
 */
export function traceDatabase(knexClient: unknown, tracing: Tracing): void {
  const client = knexClient as KnexClient;
  const acquire = client.acquireConnection;
  client.acquireConnection = async function (this: KnexClient) {
    const connection = (await acquire.call(this)) as PgConnection & { [TRACED]?: true };
    if (!connection[TRACED]) {
      connection[TRACED] = true;
      connection.query = tracedQuery(connection.query, tracing);
    }
    return connection;
  };
}

function tracedQuery(query: QueryFn, tracing: Tracing): QueryFn {
  return function (this: unknown, ...args: unknown[]) {
    const config = args[0] as string | { text?: string; submit?: unknown } | undefined;
    // A Submittable (a cursor) reports through its own events: not traced.
    if (config && typeof config === 'object' && typeof config.submit === 'function') return query.apply(this, args);
    if (!tracing.recording()) return query.apply(this, args);
    const text = typeof config === 'string' ? config : (config?.text ?? '');
    // The text only of a statement whose values travel apart from it ($1… with a values array): MikroORM's
    // raw execute inlines values into the text (addresses, password hashes), which must not reach a trace.
    const values = typeof config === 'object' && config ? (config as { values?: unknown }).values : args[1];
    const parameterized = Array.isArray(values) && values.length > 0;
    const span = tracing.tracer.startSpan(statementName(text), {
      kind: SpanKind.CLIENT,
      attributes: {
        'db.system.name': 'postgresql',
        ...(parameterized ? { 'db.query.text': text.slice(0, 2000) } : {}),
      },
    });
    const end = (error?: unknown) => {
      if (error) span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message ?? 'failed' });
      span.end();
    };
    const last = args.length - 1;
    const callback = args[last];
    if (typeof callback === 'function') {
      args[last] = (error: unknown, result: unknown) => {
        end(error);
        (callback as (e: unknown, r: unknown) => void)(error, result);
      };
      return query.apply(this, args);
    }
    const result = query.apply(this, args) as Promise<unknown>;
    result.then(
      () => end(),
      (error: unknown) => end(error),
    );
    return result;
  };
}

/** `db select`, `db insert`…: the statement's verb, a name from a closed set (the text is an attribute). */
export function statementName(text: string): string {
  const match =
    /^\s*(?:with\b[\s\S]*?\)\s*)?(select|insert|update|delete|begin|commit|rollback|savepoint|release|set|listen|notify)\b/i.exec(
      text,
    );
  return match ? `db ${match[1]!.toLowerCase()}` : 'db query';
}
