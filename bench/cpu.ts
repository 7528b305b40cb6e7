import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * CPU time a process has spent (user + system, all its threads), from /proc/<pid>/stat. On a shared
 * machine wall-clock throughput swings 2–3× between runs; the CPU a server spends per request does not.
 */

// Clock ticks per second for utime/stime; 100 on every Linux this runs on, asked once to be sure.
const ticksPerSecond = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/**
 * Milliseconds of CPU the process has used so far, or null when it is gone (or not on Linux); with `thread`,
 * that one thread's (the main thread's id is the process id).
 */
export function cpuMs(pid: number | 'self', thread?: number): number | null {
  try {
    const stat = readFileSync(thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after its closing one.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of the file (utime, stime) are the 12th and 13th after the name.
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? (ticks * 1000) / ticksPerSecond : null;
  } catch {
    return null;
  }
}

/** The middle value and the range, for figures measured a few times over. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  /** (max − min) ÷ median: how far apart the repeats were. */
  relative: number;
}

export function spreadOf(values: number[]): Spread | null {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  const min = sorted[0]!;
  const max = sorted.at(-1)!;
  return { median: round3(median), min: round3(min), max: round3(max), relative: median ? round3((max - min) / median) : 0 };
}

export const round3 = (n: number) => Math.round(n * 1000) / 1000;
