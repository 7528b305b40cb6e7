import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, platform, release, totalmem } from 'node:os';
import type { Argon2Floor } from './floors.js';
import type { LoadResult } from './load.js';

export type MeasuredResult = Omit<LoadResult, 'seconds'> & { rssMB?: number };

export type ScenarioResult =
  | MeasuredResult
  | { connections: number; skipped: string; rps: null; p50Ms: null; p99Ms: null; errors: null };

export interface Results {
  scenarios: Record<string, ScenarioResult>;
  argon2: Argon2Floor | null;
  rssMB: number | null;
  rssPeakMB: number | null;
  rssStartMB: number | null;
  serverExitCode: number | null;
  machine: Record<string, unknown>;
  seconds: number;
  warmupSeconds: number;
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
const ratio = (a: number | undefined, b: number | undefined) => (a !== undefined && b ? Math.round((a / b) * 1000) / 1000 : null);

export function ratiosOf(results: Results) {
  const s = (name: string) => measured(results.scenarios[name]);
  return {
    meVsFloorA: ratio(s('me')?.rps, s('floorA')?.rps),
    meVsFloorB: ratio(s('me')?.rps, s('floorB')?.rps),
    refreshVsFloorB: ratio(s('refresh')?.rps, s('floorB')?.rps),
    loginVsArgon2: ratio(s('login')?.rps, results.argon2?.verifiesPerSec),
  };
}

type Ratios = ReturnType<typeof ratiosOf>;

function targetsOf(results: Results, ratios: Ratios) {
  const s = (name: string) => measured(results.scenarios[name]);
  const check = (value: number | null | undefined, ok: (v: number) => boolean) =>
    value === null || value === undefined || Number.isNaN(value) ? 'n/a' : ok(value) ? 'met' : 'MISSED';
  const errors = Object.values(results.scenarios).reduce((sum, r) => sum + ('skipped' in r ? 0 : r.errors), 0);
  return [
    { target: 'me ≥ 0.8× floor b', value: ratios.meVsFloorB, status: check(ratios.meVsFloorB, (v) => v >= 0.8) },
    { target: 'me p99 ≤ 15 ms', value: s('me')?.p99Ms, status: check(s('me')?.p99Ms, (v) => v <= 15) },
    { target: 'login ≥ 0.9× argon2 floor', value: ratios.loginVsArgon2, status: check(ratios.loginVsArgon2, (v) => v >= 0.9) },
    { target: 'login p50 at 2 conns < 50 ms', value: s('login2')?.p50Ms, status: check(s('login2')?.p50Ms, (v) => v < 50) },
    { target: 'refresh ≥ 0.5× floor b', value: ratios.refreshVsFloorB, status: check(ratios.refreshVsFloorB, (v) => v >= 0.5) },
    {
      target: 'progress report p50 < 10 ms',
      value: s('reportResourceProgress')?.p50Ms,
      status: check(s('reportResourceProgress')?.p50Ms, (v) => v < 10),
    },
    {
      target: 'progress read p50 < 10 ms',
      value: s('resourceProgress')?.p50Ms,
      status: check(s('resourceProgress')?.p50Ms, (v) => v < 10),
    },
    { target: 'RSS < 256 MB', value: results.rssMB, status: check(results.rssMB, (v) => v < 256) },
    { target: 'errors = 0 in every scenario', value: errors, status: check(errors, (v) => v === 0) },
  ];
}

const num = (v: number | null | undefined, digits = 1) => (v === null || v === undefined ? '-' : v.toFixed(digits));

export function printReport(results: Results, wallSeconds: number) {
  const ratios = ratiosOf(results);
  const m = results.machine;
  const lines = [
    '',
    `Tollgate bench — ${m.cpu}, ${m.cores} cores, ${m.memoryGB} GB, Node ${m.node}, Postgres ${m.postgres}`,
    `load average at start ${m.loadAverage1mAtStart}; ${results.seconds} s per scenario after ${results.warmupSeconds} s warm-up; latencies in ms; wall clock ${wallSeconds.toFixed(1)} s`,
    '',
    row('scenario', 'conns', 'rps', 'p50', 'p99', 'errors', 'rss MB', 'note'),
    '-'.repeat(90),
  ];
  for (const [name, r] of Object.entries(results.scenarios)) {
    if ('skipped' in r) lines.push(row(name, String(r.connections), '-', '-', '-', '-', '-', `skipped: ${r.skipped}`));
    else {
      const note = r.errors ? describeErrors(r) : '';
      lines.push(
        row(name, String(r.connections), num(r.rps), num(r.p50Ms, 2), num(r.p99Ms, 2), String(r.errors), num(r.rssMB), note),
      );
    }
  }
  const a = results.argon2;
  if (a)
    lines.push(
      row(
        'argon2 (floor)',
        `${a.loops} loops`,
        num(a.verifiesPerSec),
        num(a.p50Ms, 2),
        num(a.p99Ms, 2),
        '0',
        '-',
        `UV_THREADPOOL_SIZE=${a.threadpool}`,
      ),
    );
  lines.push(
    '',
    `Tollgate RSS at end ${num(results.rssMB)} MB (before load ${num(results.rssStartMB)}, peak ${num(results.rssPeakMB)}); exit code on SIGTERM ${results.serverExitCode}`,
    '',
  );
  lines.push(
    `ratios: ${Object.entries(ratios)
      .map(([k, v]) => `${k}=${num(v, 3)}`)
      .join('  ')}`,
    '',
  );
  for (const t of targetsOf(results, ratios)) lines.push(`  [${t.status.padEnd(6)}] ${t.target.padEnd(30)} (${num(t.value, 3)})`);
  console.log(lines.join('\n'));
}

function describeErrors(r: MeasuredResult) {
  const b = r.breakdown;
  return `non2xx ${b.non2xx}, graphql ${b.graphqlErrors}, conn ${b.connectionErrors}, timeouts ${b.timeouts}; first: ${r.firstError ?? '?'}`.slice(
    0,
    240,
  );
}

function row(name: string, conns: string, rps: string, p50: string, p99: string, errors: string, rss: string, note: string) {
  return [
    name.padEnd(22),
    conns.padStart(9),
    rps.padStart(10),
    p50.padStart(9),
    p99.padStart(9),
    errors.padStart(7),
    rss.padStart(7),
    ` ${note}`,
  ]
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
