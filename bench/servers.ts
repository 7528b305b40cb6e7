import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

/** Scripts are given relative to the repository root, wherever the bench was started from. */
const root = fileURLToPath(new URL('..', import.meta.url));

/** A TypeScript entry point running in its own Node process, so its CPU and memory are its own. */
export interface Child {
  name: string;
  pid: number;
  proc: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** The last few KB of its output, for saying why it died. */
  output(): string;
  /** Resolves with the first stdout line that parses as JSON; the floor servers announce their port this way. */
  firstJsonLine(): Promise<Record<string, unknown>>;
}

const live = new Set<Child>();

// Only what Node and tsx need: the bench's own DATABASE_URL, NODE_ENV etc. must not leak into a child.
const inherited = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ'];

/**
 * `announces: false` for a child whose stdout is its log (Tollgate at info): its lines are kept only as the
 * tail, never parsed or queued, so the bench neither grows nor spends CPU on them.
 */
export function spawnTs(
  name: string,
  script: string,
  env: Record<string, string>,
  nodeFlags: string[] = [],
  { announces = true } = {},
): Child {
  const base = Object.fromEntries(inherited.flatMap((k) => (process.env[k] ? [[k, process.env[k]]] : [])));
  // Compiled scripts run on plain node; TypeScript ones through tsx.
  const loader = script.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const proc = spawn(process.execPath, [...nodeFlags, ...loader, script], {
    cwd: root,
    env: { ...base, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (proc.pid === undefined) throw new Error(`${name}: could not spawn ${script}`);
  let tail = '';
  let lineBuffer = '';
  const jsonLines: Record<string, unknown>[] = [];
  const jsonWaiters: ((line: Record<string, unknown>) => void)[] = [];
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-8192);
  };
  // Both pipes are drained continuously; a full pipe would stall the child mid-benchmark.
  proc.stderr!.on('data', keep);
  proc.stdout!.on('data', (chunk: Buffer) => {
    keep(chunk);
    if (!announces) return;
    lineBuffer += chunk.toString('utf8');
    for (let nl = lineBuffer.indexOf('\n'); nl >= 0; nl = lineBuffer.indexOf('\n')) {
      const line = lineBuffer.slice(0, nl);
      lineBuffer = lineBuffer.slice(nl + 1);
      const parsed = parseJsonObject(line);
      if (parsed) {
        const waiter = jsonWaiters.shift();
        if (waiter) waiter(parsed);
        else jsonLines.push(parsed);
      }
    }
  });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const child: Child = {
    name,
    pid: proc.pid,
    proc,
    exited,
    output: () => tail,
    firstJsonLine: () => {
      const ready = jsonLines.shift();
      if (ready) return Promise.resolve(ready);
      return Promise.race([
        new Promise<Record<string, unknown>>((resolve) => jsonWaiters.push(resolve)),
        exited.then((code): never => {
          throw new Error(`${name} exited (${code}) before reporting:\n${tail}`);
        }),
      ]);
    },
  };
  live.add(child);
  void exited.then(() => live.delete(child));
  return child;
}

function parseJsonObject(line: string): Record<string, unknown> | null {
  if (!line.startsWith('{')) return null;
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return null;
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Polls a readiness URL until it answers 200, the child dies, or the deadline passes. */
export async function waitReady(child: Child, url: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | null | undefined;
  void child.exited.then((code) => (exitCode = code));
  let last = '';
  while (Date.now() < deadline) {
    if (exitCode !== undefined) throw new Error(`${child.name} exited (${exitCode}) before it was ready:\n${child.output()}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return;
      last = `HTTP ${res.status} ${await res.text()}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await sleep(200);
  }
  throw new Error(`${child.name} was not ready within ${timeoutMs} ms (${last}):\n${child.output()}`);
}

/** SIGTERM, then SIGKILL if it outlives the grace period. Resolves with the exit code. */
export async function stop(child: Child, graceMs = 20_000): Promise<number | null> {
  if (child.proc.exitCode !== null || child.proc.signalCode !== null) return child.exited;
  child.proc.kill('SIGTERM');
  const timer = setTimeout(() => child.proc.kill('SIGKILL'), graceMs);
  try {
    return await child.exited;
  } finally {
    clearTimeout(timer);
  }
}

export const stopAll = () => Promise.all([...live].map((c) => stop(c)));

/** Last resort on a hard exit of the bench: no child may outlive it. */
export function killAllSync() {
  for (const child of live) child.proc.kill('SIGKILL');
}

/** Resident and peak resident memory in MB, from /proc (Linux only; null elsewhere or after exit). */
export function memoryMB(pid: number): { rss: number; peak: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rss: round1(kb('VmRSS') / 1024), peak: round1(kb('VmHWM') / 1024) };
  } catch {
    return null;
  }
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/** ARGON2_* from the bench's environment, if set: given to Tollgate and to the argon2 floor alike, so both hash the same way. */
export function argon2Env(): Record<string, string> {
  const names = ['ARGON2_MEMORY_KIB', 'ARGON2_ITERATIONS', 'ARGON2_PARALLELISM'] as const;
  return Object.fromEntries(names.flatMap((n) => (process.env[n] ? [[n, process.env[n] as string]] : [])));
}
