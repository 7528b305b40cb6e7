import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { buildForBench } from './build.js';
import { createBenchDatabase } from './database.js';
import { BENCH_USER_AGENT, registerAccount } from './graphql-client.js';
import { stopAll } from './servers.js';
import { newSigningKeys, startTollgate, unreachableRateLimits } from './tollgate.js';

/**
 * `npm run bench:enumeration`: does the time to an answer tell which accounts exist? The compiled service,
 * as production runs it, answers a failed login and a reset request for one existing account and for
 * unknown identifiers, in interleaved pairs (the order within each pair alternating), each attempt from a
 * fresh client address so no failure budget is ever spent. Reported: the median of each, their difference,
 * and a bootstrap 95 % interval of that difference; "within noise" when the interval holds 0.
 * BENCH_SAMPLES (default 150) pairs per operation; BENCH_SKIP_BUILD=1 reuses .data/bench-build.
 */
const samples = Number(process.env.BENCH_SAMPLES ?? 150);
const warmup = 30;

const LOGIN = 'mutation($input: LoginInput!) { login(input: $input) { accessToken } }';
const RESET = 'mutation($email: String!) { requestPasswordReset(email: $email) }';

let addressSerial = 0;
/** A fresh client address per attempt (TRUST_PROXY=loopback lets the bench name it), as an attacker with many would. */
const nextAddress = () => {
  addressSerial++;
  return `10.${(addressSerial >> 16) & 255}.${(addressSerial >> 8) & 255}.${addressSerial & 255}`;
};

async function timed(url: string, query: string, variables: Record<string, unknown>): Promise<number> {
  const start = performance.now();
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': BENCH_USER_AGENT, 'x-forwarded-for': nextAddress() },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { errors?: { extensions?: { code?: string } }[] };
  const elapsed = performance.now() - start;
  const code = body.errors?.[0]?.extensions?.code;
  // Only the answers an attacker compares: anything else (a throttle, an outage) would measure something else.
  if (code !== undefined && code !== 'INVALID_CREDENTIALS') throw new Error(`unexpected answer ${code}`);
  return elapsed;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

/** Bootstrap 95 % interval of median(a) - median(b), pairs resampled together (they shared the machine's moment). */
function interval(a: number[], b: number[], rounds = 2000): [number, number] {
  const diffs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const ra: number[] = [];
    const rb: number[] = [];
    for (let i = 0; i < a.length; i++) {
      const j = Math.floor(Math.random() * a.length);
      ra.push(a[j] as number);
      rb.push(b[j] as number);
    }
    diffs.push(median(ra) - median(rb));
  }
  diffs.sort((x, y) => x - y);
  return [diffs[Math.floor(rounds * 0.025)] as number, diffs[Math.floor(rounds * 0.975)] as number];
}

async function compare(label: string, known: () => Promise<number>, unknown: () => Promise<number>) {
  for (let i = 0; i < warmup; i++) await (i % 2 ? known() : unknown());
  const k: number[] = [];
  const u: number[] = [];
  for (let i = 0; i < samples; i++) {
    if (i % 2) {
      k.push(await known());
      u.push(await unknown());
    } else {
      u.push(await unknown());
      k.push(await known());
    }
  }
  const [mk, mu] = [median(k), median(u)];
  const [lo, hi] = interval(k, u);
  const within = lo <= 0 && hi >= 0;
  console.log(
    `${label}: known ${mk.toFixed(3)} ms, unknown ${mu.toFixed(3)} ms (medians of ${samples}); ` +
      `known - unknown ${(mk - mu).toFixed(3)} ms (${(((mk - mu) / mu) * 100).toFixed(2)} %), ` +
      `95 % interval [${lo.toFixed(3)}, ${hi.toFixed(3)}] ms: ${within ? 'within noise' : 'DIFFERENT'}`,
  );
  return within;
}

if (process.env.BENCH_SKIP_BUILD !== '1') buildForBench();
const database = await createBenchDatabase(process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
let ok = false;
try {
  const huge = { points: 1e9, windowSeconds: 60 };
  const server = await startTollgate({
    databaseUrl: database.url,
    signingKey: await newSigningKeys(),
    env: {
      TRUST_PROXY: 'loopback',
      LOGIN_FAILURE_LIMITS: JSON.stringify({ device: huge, identifierIp: huge, ip: huge, identifier: huge }),
      RATE_LIMITS: JSON.stringify({
        ...unreachableRateLimits,
        'Mutation.requestPasswordReset': { FREE: 1e9, PREMIUM: 1e9, ADMIN: 1e9, windowSeconds: 60 },
      }),
    },
  });
  const account = await registerAccount(server.url);
  while ((await database.pendingMail()) > 0) await new Promise((r) => setTimeout(r, 200));
  const wrong = () => `wrong-${randomBytes(9).toString('base64url')}`;
  const unknownEmail = () => `nobody-${randomBytes(6).toString('hex')}@bench.example.com`;
  const login = await compare(
    'failed login',
    () => timed(server.url, LOGIN, { input: { identifier: account.user.email, password: wrong() } }),
    () => timed(server.url, LOGIN, { input: { identifier: unknownEmail(), password: wrong() } }),
  );
  const reset = await compare(
    'requestPasswordReset',
    () => timed(server.url, RESET, { email: account.user.email }),
    () => timed(server.url, RESET, { email: unknownEmail() }),
  );
  ok = login && reset;
} finally {
  await stopAll();
  await database.drop();
}
process.exitCode = ok ? 0 : 1;
