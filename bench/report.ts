import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, platform, release, totalmem } from 'node:os';
import type { Spread } from './cpu.js';
import type { Argon2Floor } from './floors.js';
import type { Measured } from './measure.js';

export type MeasuredResult = Measured & { rssMB?: number };

export type ScenarioResult =
  | MeasuredResult
  | { connections: number; skipped: string; rps: null; p50Ms: null; p99Ms: null; errors: null; cpuMsPerRequest: null };

export interface Latency1 {
  requests: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

export interface Results {
  scenarios: Record<string, ScenarioResult>;
  argon2: Argon2Floor | null;
  /** After the last scenario. */
  rssMB: number | null;
  /** The server's high-water mark over the whole bench (VmHWM). */
  rssPeakMB: number | null;
  rssStartMB: number | null;
  serverExitCode: number | null;
  machine: Record<string, unknown>;
  seconds: number;
  warmupSeconds: number;
  repeats: number;
  /** One client alone, no queue: what a single user waits. */
  latencyAtOneConnection: Record<string, Latency1>;
  /**
   * What the request log line at info costs: measured alone (exact), as a share of `me`'s CPU in this run;
   * and, as a cross-check, `me` on two fresh servers at info and at warn (a difference within the noise).
   */
  logging: {
    lineCpuMs: number | null;
    lineShareOfMe: number | null;
    meCpuMsAtInfo: number | null;
    meCpuMsAtWarn: number | null;
    infoSpread: Spread | null;
    warnSpread: Spread | null;
    differenceCpuMs: number | null;
  } | null;
}

export function machineInfo(postgres: string) {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: availableParallelism(),
    memoryGB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${platform()} ${release()}`,
    postgres,
    // Other work on the machine shares the same cores; a high figure here means noisy numbers.
    loadAverage1mAtStart: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}

const measured = (r: ScenarioResult | undefined) => (r && !('skipped' in r) ? r : undefined);
const ratio = (a: number | null | undefined, b: number | null | undefined) =>
  a !== undefined && a !== null && b ? Math.round((a / b) * 1000) / 1000 : null;

/**
 * The CPU ratios against floors a and b (results.json `ratios.cpu`): each a scenario and the floor it is
 * divided by. run.ts measures each such floor in turn with its scenarios.
 */
export const FLOOR_RATIOS = {
  meVsFloorA: ['me', 'floorA'],
  meVsFloorB: ['me', 'floorB'],
  refreshVsFloorB: ['refresh', 'floorB'],
  progressReportVsFloorB: ['reportResourceProgress', 'floorB'],
  progressReadVsFloorB: ['resourceProgress', 'floorB'],
} as const;

export type FloorName = (typeof FLOOR_RATIOS)[keyof typeof FLOOR_RATIOS][1];

/**
 * Throughput ratios (scenario ÷ floor, wall clock: noisy on a shared machine) and, under `cpu`, CPU ratios
 * (floor CPU ÷ scenario CPU per request: 1.0 is as cheap as the floor, 0.5 costs twice as much).
 */
export function ratiosOf(results: Results) {
  const s = (name: string) => measured(results.scenarios[name]);
  const floorRatios = Object.fromEntries(
    Object.entries(FLOOR_RATIOS).map(([key, [scenario, floor]]) => [
      key,
      ratio(s(floor)?.cpuMsPerRequest, s(scenario)?.cpuMsPerRequest),
    ]),
  ) as Record<keyof typeof FLOOR_RATIOS, number | null>;
  return {
    meVsFloorA: ratio(s('me')?.rps, s('floorA')?.rps),
    meVsFloorB: ratio(s('me')?.rps, s('floorB')?.rps),
    refreshVsFloorB: ratio(s('refresh')?.rps, s('floorB')?.rps),
    loginVsArgon2: ratio(s('login')?.rps, results.argon2?.verifiesPerSec),
    cpu: {
      ...floorRatios,
      loginVsArgon2: ratio(results.argon2?.cpuMsPerVerify, s('login')?.cpuMsPerRequest),
    },
  };
}

type Ratios = ReturnType<typeof ratiosOf>;

function targetsOf(results: Results, ratios: Ratios) {
  const check = (value: number | null | undefined, ok: (v: number) => boolean) =>
    value === null || value === undefined || Number.isNaN(value) ? 'n/a' : ok(value) ? 'met' : 'MISSED';
  const errors = Object.values(results.scenarios).reduce((sum, r) => sum + ('skipped' in r ? 0 : r.errors), 0);
  // Targets are stated as "costs at most k× the floor"; the ratios are floor ÷ scenario, so at least 1/k.
  const atMost = (name: string, value: number | null, times: number) => ({
    target: `${name} ≤ ${times}× floor CPU`,
    value: value ? Math.round((1 / value) * 100) / 100 : null,
    status: check(value, (v) => v >= 1 / times - 1e-9),
  });
  const one = results.latencyAtOneConnection;
  const cpu = ratios.cpu;
  return [
    atMost('me vs floor b', cpu.meVsFloorB, 1.5),
    atMost('refresh vs floor b', cpu.refreshVsFloorB, 3),
    atMost('progress report vs floor b', cpu.progressReportVsFloorB, 2),
    atMost('progress read vs floor b', cpu.progressReadVsFloorB, 1.5),
    atMost('login vs argon2 verify', cpu.loginVsArgon2, 1.1),
    {
      target: 'request log line < 5% of me CPU',
      value: results.logging?.lineShareOfMe,
      status: check(results.logging?.lineShareOfMe, (v) => v < 0.05),
    },
    { target: 'me p50 at 1 conn < 5 ms', value: one.me?.p50Ms, status: check(one.me?.p50Ms, (v) => v < 5) },
    { target: 'refresh p50 at 1 conn < 5 ms', value: one.refresh?.p50Ms, status: check(one.refresh?.p50Ms, (v) => v < 5) },
    {
      target: 'progress report p50 at 1 conn < 10 ms',
      value: one.reportResourceProgress?.p50Ms,
      status: check(one.reportResourceProgress?.p50Ms, (v) => v < 10),
    },
    { target: 'peak RSS < 256 MB', value: results.rssPeakMB, status: check(results.rssPeakMB, (v) => v < 256) },
    { target: 'errors = 0 in every scenario', value: errors, status: check(errors, (v) => v === 0) },
  ];
}

const num = (v: number | null | undefined, digits = 1) => (v === null || v === undefined ? '-' : v.toFixed(digits));
const pct = (v: number | null | undefined) => (v === null || v === undefined ? '-' : `±${((v / 2) * 100).toFixed(0)}%`);

export function printReport(results: Results, wallSeconds: number) {
  const ratios = ratiosOf(results);
  const m = results.machine;
  const lines = [
    '',
    `Tollgate bench — ${m.cpu}, ${m.cores} cores, ${m.memoryGB} GB, Node ${m.node}, Postgres ${m.postgres}`,
    `load average at start ${m.loadAverage1mAtStart}; ${results.warmupSeconds} s warm-up, then ${results.repeats} runs of ~${results.seconds} s each (medians; spread = (max−min)/2 of the median); wall clock ${wallSeconds.toFixed(1)} s`,
    '',
    row('scenario', 'conns', 'cpu ms/req', 'spread', 'rps', 'p50 ms', 'p99 ms', 'errors', 'rss MB', 'note'),
    '-'.repeat(110),
  ];
  for (const [name, r] of Object.entries(results.scenarios)) {
    if ('skipped' in r) lines.push(row(name, String(r.connections), '-', '-', '-', '-', '-', '-', '-', `skipped: ${r.skipped}`));
    else {
      const main = r.mainThreadCpuMsPerRequest === null ? '' : `main thread ${num(r.mainThreadCpuMsPerRequest, 3)}`;
      const note = [main, r.errors ? describeErrors(r) : ''].filter(Boolean).join('; ');
      lines.push(
        row(
          name,
          String(r.connections),
          num(r.cpuMsPerRequest, 3),
          pct(r.cpuSpread?.relative),
          num(r.rps),
          num(r.p50Ms, 2),
          num(r.p99Ms, 2),
          String(r.errors),
          num(r.rssMB),
          note,
        ),
      );
    }
  }
  const a = results.argon2;
  if (a)
    lines.push(
      row(
        'argon2 (floor)',
        `${a.loops} loops`,
        num(a.cpuMsPerVerify, 3),
        pct(a.cpuSpread?.relative),
        num(a.verifiesPerSec),
        num(a.p50Ms, 2),
        num(a.p99Ms, 2),
        '0',
        '-',
        `UV_THREADPOOL_SIZE=${a.threadpool}`,
      ),
    );
  lines.push('', 'one connection alone:');
  for (const [name, l] of Object.entries(results.latencyAtOneConnection))
    lines.push(
      `  ${name.padEnd(24)} p50 ${num(l.p50Ms, 2)} ms  p99 ${num(l.p99Ms, 2)} ms  (${l.requests} requests, ${l.errors} errors)`,
    );
  const g = results.logging;
  if (g)
    lines.push(
      '',
      `request log line alone: ${num(g.lineCpuMs, 4)} ms CPU = ${num((g.lineShareOfMe ?? Number.NaN) * 100, 1)}% of me`,
      `cross-check, me on two fresh servers in turn: ${num(g.meCpuMsAtInfo, 3)} ms at info (${pct(g.infoSpread?.relative)}), ${num(g.meCpuMsAtWarn, 3)} at warn (${pct(g.warnSpread?.relative)}), difference ${num(g.differenceCpuMs, 3)} ms`,
    );
  lines.push(
    '',
    `Tollgate RSS at end ${num(results.rssMB)} MB (before load ${num(results.rssStartMB)}, peak ${num(results.rssPeakMB)}); exit code on SIGTERM ${results.serverExitCode}`,
    '',
    `CPU ratios (floor ÷ scenario): ${Object.entries(ratios.cpu)
      .map(([k, v]) => `${k}=${num(v, 3)}`)
      .join('  ')}`,
    `rps ratios (scenario ÷ floor, noisy): meVsFloorA=${num(ratios.meVsFloorA, 3)}  meVsFloorB=${num(ratios.meVsFloorB, 3)}  refreshVsFloorB=${num(ratios.refreshVsFloorB, 3)}  loginVsArgon2=${num(ratios.loginVsArgon2, 3)}`,
    '',
  );
  for (const t of targetsOf(results, ratios)) lines.push(`  [${t.status.padEnd(6)}] ${t.target.padEnd(40)} (${num(t.value, 3)})`);
  console.log(lines.join('\n'));
}

function describeErrors(r: MeasuredResult) {
  const b = r.breakdown;
  return `non2xx ${b.non2xx}, graphql ${b.graphqlErrors}, conn ${b.connectionErrors}, timeouts ${b.timeouts}; first: ${r.firstError ?? '?'}`.slice(
    0,
    240,
  );
}

function row(...cells: string[]) {
  const widths = [22, 9, 10, 7, 9, 9, 9, 7, 7];
  return cells
    .map((cell, i) => (i === 0 ? cell.padEnd(widths[0]!) : i < widths.length ? cell.padStart(widths[i]!) : ` ${cell}`))
    .join(' ')
    .trimEnd();
}

export function writeResults(path: string, results: Results, wallSeconds: number) {
  const ratios = ratiosOf(results);
  const json = {
    ...results,
    ratios,
    targets: targetsOf(results, ratios),
    wallSeconds: Math.round(wallSeconds * 10) / 10,
    at: new Date().toISOString(),
  };
  writeFileSync(path, `${JSON.stringify(json, null, 2)}\n`);
}
