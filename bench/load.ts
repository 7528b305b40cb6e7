import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import { BENCH_USER_AGENT } from './graphql-client.js';

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
  /**
   * Send exactly this many requests and wait for every answer, instead of stopping after `seconds`: a run
   * cut off by the clock leaves requests the server works on but nobody counts, which skews CPU per request.
   */
  amount?: number;
  /** Called once per connection (0, 1, …), so a connection can keep state of its own (e.g. a session chain). */
  connection(index: number): ConnectionScript;
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

  let nextConnection = 0;
  const started = performance.now();
  const result = await autocannon({
    url: `${options.url}/graphql`,
    connections: options.connections,
    ...(options.amount ? { amount: Math.max(options.amount, options.connections) } : { duration: options.seconds }),
    // argon2-bound requests queue behind each other on a loaded machine: a slow answer is not a failure.
    timeout: 60,
    setupClient(client) {
      const script = options.connection(nextConnection++);
      const { body } = script;
      client.setRequests([
        {
          method: 'POST',
          path: '/graphql',
          headers: { 'content-type': 'application/json', 'user-agent': BENCH_USER_AGENT, ...script.headers },
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

  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  // A fixed amount ends with every answer in; a run stopped by the clock may leave work on the server.
  if (!options.amount) await settle(latencies.at(-1) ?? 0);
  const connectionErrors = result.errors - result.timeouts;
  return {
    connections: options.connections,
    seconds: round(elapsed),
    requests: latencies.length,
    rps: round(latencies.length / elapsed),
    p50Ms: round(percentile(latencies, 0.5)),
    p99Ms: round(percentile(latencies, 0.99)),
    errors: result.non2xx + graphqlErrors + result.errors,
    breakdown: { non2xx: result.non2xx, graphqlErrors, connectionErrors, timeouts: result.timeouts },
    ...(firstError ? { firstError } : {}),
  };
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
