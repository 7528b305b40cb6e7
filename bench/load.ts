import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';

/**
 * What one connection sends. `body` may be a function, called before every request, for requests that
 * differ (unique emails, the connection's current refresh token); `onResponse` sees every answer.
 */
export interface ConnectionScript {
  body: string | (() => string);
  headers?: Record<string, string>;
  onResponse?(status: number, body: string): void;
}

export interface LoadOptions {
  url: string;
  connections: number;
  seconds: number;
  /** Called once per connection, so a connection can keep state of its own (e.g. a session chain). */
  connection(): ConnectionScript;
}

export interface LoadResult {
  connections: number;
  seconds: number;
  requests: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Non-2xx + GraphQL `errors` in 2xx bodies + connection errors and timeouts. */
  errors: number;
  breakdown: { non2xx: number; graphqlErrors: number; connectionErrors: number; timeouts: number };
  /** The first failing response, to say what went wrong without a debugger. */
  firstError?: string;
}

/** One autocannon run against POST /graphql. */
export async function load(options: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  let graphqlErrors = 0;
  let firstError: string | undefined;
  const noteError = (status: number, body: string) => (firstError ??= `HTTP ${status}: ${body.slice(0, 300)}`);

  const result = await autocannon({
    url: `${options.url}/graphql`,
    connections: options.connections,
    duration: options.seconds,
    setupClient(client) {
      const script = options.connection();
      const { body } = script;
      client.setRequests([
        {
          method: 'POST',
          path: '/graphql',
          headers: { 'content-type': 'application/json', ...script.headers },
          // A static body is built once; a function body costs a rebuild of the request per call.
          ...(typeof body === 'string' ? { body } : { setupRequest: (req) => ({ ...req, body: body() }) }),
          onResponse(status, text) {
            // A GraphQL failure is usually HTTP 200 with an `errors` member: autocannon alone would count it as success.
            if (status >= 200 && status < 300 && text.includes('"errors"')) {
              graphqlErrors++;
              noteError(status, text);
            } else if (status >= 300) noteError(status, text);
            script.onResponse?.(status, text);
          },
        },
      ]);
      // autocannon's histogram keeps whole milliseconds and only 2xx; these are exact and count every answer.
      client.on('response', (_status: number, _bytes: number, ms: number) => latencies.push(ms));
    },
  });

  latencies.sort((a, b) => a - b);
  await settle(latencies.at(-1) ?? 0);
  const connectionErrors = result.errors - result.timeouts;
  return {
    connections: options.connections,
    seconds: options.seconds,
    requests: latencies.length,
    rps: round(result.requests.average),
    p50Ms: round(percentile(latencies, 0.5)),
    p99Ms: round(percentile(latencies, 0.99)),
    errors: result.non2xx + graphqlErrors + result.errors,
    breakdown: { non2xx: result.non2xx, graphqlErrors, connectionErrors, timeouts: result.timeouts },
    ...(firstError ? { firstError } : {}),
  };
}

/** A short run whose numbers are thrown away: JIT, pools and caches settle before measuring. */
export async function warmUp(options: LoadOptions): Promise<void> {
  if (options.seconds > 0) await load(options);
}

/**
 * autocannon hangs up on requests still in flight when time is up, but the server finishes them: with
 * argon2 that is a queue of up to one request per connection, which would land on the next run's clock.
 * The slowest answer seen bounds how long that backlog takes to drain.
 */
const settle = (slowestMs: number) => sleep(Math.min(slowestMs, 5000) + 100);

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? NaN;
}

const round = (n: number) => Math.round(n * 100) / 100;
