import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Tollgate's Prometheus metrics, in a registry of their own per app (never prom-client's global one:
 * tests build several apps in one process). Every label value comes from a closed set — a field of the
 * schema, an error code, a tier, an outcome — never from what a client typed (see metrics.rules.ts).
 * docs/operations/metrics.md says what each means.
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const fields = new Counter({
    name: 'tollgate_graphql_fields_total',
    help: 'Root fields resolved, by field (Type.field of the schema) and outcome (ok or the error code).',
    labelNames: ['field', 'outcome'] as const,
    registers,
  });
  // Each (field, outcome) child made once: `inc(labels)` hashes the label object on every call. The pairs are
  // bounded (root fields × codes), so the map is too.
  const fieldChildren = new Map<string, ReturnType<typeof fields.labels>>();
  return {
    registry,
    fields,
    countField(field: string, outcome: string) {
      const key = `${field} ${outcome}`;
      let child = fieldChildren.get(key);
      if (!child) {
        child = fields.labels(field, outcome);
        fieldChildren.set(key, child);
      }
      child.inc();
    },
    requestDuration: new Histogram({
      name: 'tollgate_graphql_request_duration_seconds',
      help: 'Time from a /graphql request arriving to its response being written, in seconds.',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    loginAttempts: new Counter({
      name: 'tollgate_login_attempts_total',
      help: 'Password sign-ins (Mutation.login) by outcome.',
      labelNames: ['outcome'] as const,
      registers,
    }),
    rateLimitRefusals: new Counter({
      name: 'tollgate_rate_limit_refusals_total',
      help: 'Calls refused by a field budget, by field and the caller’s tier (anonymous callers count as FREE).',
      labelNames: ['field', 'tier'] as const,
      registers,
    }),
    hashDuration: new Histogram({
      name: 'tollgate_password_hash_duration_seconds',
      help: 'argon2 work per call, waiting for a thread included, by operation (hash or verify).',
      labelNames: ['operation'] as const,
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    hashesInFlight: new Gauge({
      name: 'tollgate_password_hashes_in_flight',
      help: 'argon2 calls started and not finished: running on libuv’s thread pool or waiting for a thread.',
      registers,
    }),
    mailDead: new Counter({
      name: 'tollgate_mail_dead_total',
      help: 'Mail given up after its last attempt, by this instance.',
      registers,
    }),
    mailSent: new Counter({ name: 'tollgate_mail_sent_total', help: 'Mail sent by this instance.', registers }),
    gauge: (name: string, help: string, collect: () => number | Promise<number>) =>
      new Gauge({
        name,
        help,
        registers,
        // A source that cannot answer (the database is down) reads NaN, not a failed scrape: the other metrics still arrive.
        async collect() {
          try {
            this.set(await collect());
          } catch {
            this.set(Number.NaN);
          }
        },
      }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
