import { randomBytes } from 'node:crypto';
import argon2 from 'argon2';
import { envSchema } from '../src/config-env.js';
import { cpuMs, round3 } from './cpu.js';
import type { Argon2Run } from './floors.js';

/**
 * The login floor: how many argon2id verifications this machine does per second with Tollgate's
 * parameters and thread pool. Run as a child with the server's UV_THREADPOOL_SIZE, since argon2 runs
 * on libuv's pool and its size is the ceiling. Prints one JSON line: how it ran and each repeat's figures
 * (an Argon2Run; the parent makes the medians, for one run or for repeats taken in turn with login's).
 */

// Tollgate's own reading of ARGON2_MEMORY_KIB, ARGON2_ITERATIONS and ARGON2_PARALLELISM: its defaults and
// bounds, or what the bench was run with (the server is given the same; servers.ts argon2Env).
const { ARGON2_MEMORY_KIB, ARGON2_ITERATIONS, ARGON2_PARALLELISM } = envSchema.shape;
const params = {
  type: argon2.argon2id,
  memoryCost: ARGON2_MEMORY_KIB.parse(process.env.ARGON2_MEMORY_KIB),
  timeCost: ARGON2_ITERATIONS.parse(process.env.ARGON2_ITERATIONS),
  parallelism: ARGON2_PARALLELISM.parse(process.env.ARGON2_PARALLELISM),
} as const;

const seconds = Number(process.env.ARGON2_FLOOR_SECONDS ?? 8);
const warmupSeconds = Number(process.env.ARGON2_FLOOR_WARMUP_SECONDS ?? 1);
const repeats = Number(process.env.ARGON2_FLOOR_REPEATS ?? 3);
// One loop per pool thread saturates the pool without queueing, so p50 is the verify itself.
const loops = Number(process.env.ARGON2_FLOOR_LOOPS ?? process.env.UV_THREADPOOL_SIZE ?? 4);

const password = randomBytes(16).toString('base64url');
const hash = await argon2.hash(password, params);

async function run(forSeconds: number): Promise<number[]> {
  const latencies: number[] = [];
  const deadline = performance.now() + forSeconds * 1000;
  await Promise.all(
    Array.from({ length: loops }, async () => {
      while (performance.now() < deadline) {
        const started = performance.now();
        if (!(await argon2.verify(hash, password))) throw new Error('argon2 verify returned false');
        latencies.push(performance.now() - started);
      }
    }),
  );
  return latencies;
}

await run(warmupSeconds);
const round = (n: number) => Math.round(n * 100) / 100;
const measured: Argon2Run['repeats'] = [];
for (let i = 0; i < repeats; i++) {
  // The same yardstick as the servers': this process's user + system time, pool threads included.
  const cpuBefore = cpuMs('self');
  const started = performance.now();
  const latencies = await run(seconds);
  const elapsed = (performance.now() - started) / 1000;
  const cpuAfter = cpuMs('self');
  latencies.sort((a, b) => a - b);
  const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.ceil(p * latencies.length) - 1)] ?? NaN;
  measured.push({
    verifies: latencies.length,
    verifiesPerSec: round(latencies.length / elapsed),
    p50Ms: round(at(0.5)),
    p99Ms: round(at(0.99)),
    cpuMsPerVerify: cpuBefore !== null && cpuAfter !== null ? round3((cpuAfter - cpuBefore) / latencies.length) : null,
  });
}
const result: Argon2Run = { loops, threadpool: Number(process.env.UV_THREADPOOL_SIZE ?? 4), repeats: measured };
process.stdout.write(`${JSON.stringify(result)}\n`);
