import { cpuMs, round3, spreadOf, type Spread } from './cpu.js';
import { load, type ConnectionScript, type LoadResult } from './load.js';

/**
 * One scenario against one server process: a warm-up whose figures are thrown away, then the same load
 * `repeats` times, each a fixed number of requests, with the server's CPU read before and after each.
 */

export interface MeasureOptions {
  /** The server process whose CPU is charged to the requests. */
  pid: number;
  url: string;
  connections: number;
  warmupSeconds: number;
  /** About how long each repeat runs: its request count is the warm-up's rate times this. */
  seconds: number;
  repeats: number;
  /** argon2-bound: repeats sized by time alone (a thousand sign-ins would take ~12 s each). */
  hashes?: boolean;
  connection(phase: 'warmup' | 'measure', index: number): ConnectionScript;
  /** Another measurement taken in turn with this one's repeats, just before each (see measureArgon2Once). */
  beforeEachRepeat?: () => Promise<void>;
}

export interface Repeat {
  requests: number;
  seconds: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  cpuMsPerRequest: number | null;
  /** Of that, the main thread's (JavaScript, I/O); the rest is the libuv pool (argon2) and V8's GC threads. */
  mainThreadCpuMsPerRequest: number | null;
}

export interface Measured {
  connections: number;
  /** Over all repeats. */
  requests: number;
  /** Medians over the repeats. */
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Summed over the repeats. */
  errors: number;
  breakdown: LoadResult['breakdown'];
  firstError?: string;
  /** The server's user + system CPU per answered request, median of the repeats. */
  cpuMsPerRequest: number | null;
  /** The main thread's part of it, median of the repeats. */
  mainThreadCpuMsPerRequest: number | null;
  cpuSpread: Spread | null;
  rpsSpread: Spread | null;
  repeats: Repeat[];
}

export async function measure(options: MeasureOptions): Promise<Measured> {
  const turns = await inTurns(options);
  for (let i = 0; i < options.repeats; i++) {
    await options.beforeEachRepeat?.();
    await turns.repeat();
  }
  return turns.result();
}

/** A measurement taken one repeat at a time, when the caller says, in turn with other measurements' repeats. */
export interface InTurns {
  repeat(): Promise<void>;
  /** Repeats taken so far. */
  readonly count: number;
  result(): Measured;
}

/** Warms up now; each `repeat()` then sends the same number of requests. `options.repeats` is not used. */
export async function inTurns(options: MeasureOptions): Promise<InTurns> {
  const amount = await warmUp(options);
  const runs: LoadResult[] = [];
  const repeats: Repeat[] = [];
  return {
    async repeat() {
      const { result, repeat } = await repeatOnce(options, amount);
      runs.push(result);
      repeats.push(repeat);
    },
    get count() {
      return repeats.length;
    },
    result: () => summarise(options.connections, runs, repeats),
  };
}

/**
 * Two servers under the same load, repeats taken in turn (a, b, a, b, …) so that whatever else the machine
 * is doing at the time weighs on both alike. For differences smaller than the drift between scenarios.
 */
export async function measurePair(a: MeasureOptions, b: MeasureOptions): Promise<[Measured, Measured]> {
  const amounts = [await warmUp(a), await warmUp(b)];
  const amount = Math.min(...amounts);
  // `a` sat idle while `b` warmed up, and came back dearer: the same sign-in build measured first spent
  // 2.39 and 2.05 ms of main thread in its first repeats and 1.70-1.82 after, and seemed 0.3 ms dearer than
  // a build it matched once the two swapped places. One repeat of each, in turn, is thrown away.
  for (const options of [a, b]) await repeatOnce(options, amount);
  const runs: [LoadResult[], LoadResult[]] = [[], []];
  const repeats: [Repeat[], Repeat[]] = [[], []];
  for (let i = 0; i < a.repeats; i++) {
    for (const [n, options] of [a, b].entries()) {
      const { result, repeat } = await repeatOnce(options, amount);
      runs[n]!.push(result);
      repeats[n]!.push(repeat);
    }
  }
  return [summarise(a.connections, runs[0], repeats[0]), summarise(b.connections, runs[1], repeats[1])];
}

// Enough requests for the JIT to have compiled the hot paths, whatever the machine's speed today. The same
// for the argon2-bound scenarios, though each of their requests takes ~20 ms: a sign-in's own code runs once
// per verification, and its main thread and V8's helper threads kept getting cheaper well past 1000 sign-ins
// (per-thread CPU over seven runs of 800 after 1000 of warm-up: 2.26, 1.96, 1.64, 1.74, 1.59, 1.70, 1.79 ms).
const MIN_WARMUP_REQUESTS = 3000;
// Fewer than this in a repeat and the CPU clock's 10 ms ticks, and other tenants, blur the figure.
const MIN_REPEAT_REQUESTS = 1000;

/** Warms up and returns how many requests a repeat should send: about `seconds` worth at the rate reached. */
async function warmUp(options: MeasureOptions): Promise<number> {
  const { url, connections } = options;
  const seconds = Math.max(1, options.warmupSeconds);
  const connection = (n: number) => options.connection('warmup', n);
  const first = await load({ url, connections, seconds, connection });
  // Requests warm up by count, not time: on a busy machine five seconds may be too few of them.
  if (first.requests < MIN_WARMUP_REQUESTS)
    await load({ url, connections, seconds, amount: MIN_WARMUP_REQUESTS - first.requests, connection });
  const bySeconds = Math.round(first.rps * options.seconds);
  return Math.max(connections * 2, options.hashes ? bySeconds : Math.max(MIN_REPEAT_REQUESTS, bySeconds));
}

async function repeatOnce(options: MeasureOptions, amount: number): Promise<{ result: LoadResult; repeat: Repeat }> {
  const { pid, url, connections } = options;
  const before = cpuMs(pid);
  const mainBefore = cpuMs(pid, pid);
  const result = await load({
    url,
    connections,
    seconds: options.seconds,
    amount,
    connection: (n) => options.connection('measure', n),
  });
  const after = cpuMs(pid);
  const mainAfter = cpuMs(pid, pid);
  const perRequest = (a: number | null, b: number | null) =>
    a !== null && b !== null && result.requests > 0 ? round3((b - a) / result.requests) : null;
  const { requests, seconds, rps, p50Ms, p99Ms, errors } = result;
  const cpu = { cpuMsPerRequest: perRequest(before, after), mainThreadCpuMsPerRequest: perRequest(mainBefore, mainAfter) };
  return { result, repeat: { requests, seconds, rps, p50Ms, p99Ms, errors, ...cpu } };
}

function summarise(connections: number, runs: LoadResult[], repeats: Repeat[]): Measured {
  const median = (pick: (r: Repeat) => number | null) => spreadOf(repeats.map(pick).filter((v): v is number => v !== null));
  const cpuSpread = median((r) => r.cpuMsPerRequest);
  const rpsSpread = median((r) => r.rps);
  const firstError = runs.find((r) => r.firstError)?.firstError;
  return {
    connections,
    requests: sum(repeats.map((r) => r.requests)),
    rps: rpsSpread?.median ?? 0,
    p50Ms: median((r) => r.p50Ms)?.median ?? Number.NaN,
    p99Ms: median((r) => r.p99Ms)?.median ?? Number.NaN,
    errors: sum(repeats.map((r) => r.errors)),
    breakdown: {
      non2xx: sum(runs.map((r) => r.breakdown.non2xx)),
      graphqlErrors: sum(runs.map((r) => r.breakdown.graphqlErrors)),
      connectionErrors: sum(runs.map((r) => r.breakdown.connectionErrors)),
      timeouts: sum(runs.map((r) => r.breakdown.timeouts)),
    },
    ...(firstError ? { firstError } : {}),
    cpuMsPerRequest: cpuSpread?.median ?? null,
    mainThreadCpuMsPerRequest: median((r) => r.mainThreadCpuMsPerRequest)?.median ?? null,
    cpuSpread,
    rpsSpread,
    repeats,
  };
}

/** Latency of one client alone: what a single user waits, with no queue in front of the request. */
export async function latencyAtOneConnection(
  url: string,
  requests: number,
  connection: MeasureOptions['connection'],
): Promise<{ requests: number; p50Ms: number; p99Ms: number; errors: number }> {
  const result = await load({ url, connections: 1, seconds: 0, amount: requests, connection: (n) => connection('measure', n) });
  return { requests: result.requests, p50Ms: result.p50Ms, p99Ms: result.p99Ms, errors: result.errors };
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
