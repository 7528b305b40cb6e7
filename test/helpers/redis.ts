import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';

/** The shared Redis the tests may use; each test app gets its own key prefix. */
export const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const uniquePrefix = () => `tollgate-test-${randomBytes(5).toString('hex')}`;

export const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

export interface OwnRedis {
  url: string;
  port: number;
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}

/** A Redis server of the test's own, so it can be stopped without disturbing other test files. */
export async function startOwnRedis(port?: number, extraArgs: string[] = []): Promise<OwnRedis> {
  const p = port ?? (await freePort());
  return spawnRedis(p, ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...extraArgs]);
}

async function spawnRedis(p: number, args: string[], ready = 'Ready to accept connections'): Promise<OwnRedis> {
  const child: ChildProcess = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  // Never outlive the test run, whatever happens to the test that started it.
  const reap = () => child.kill('SIGKILL');
  process.once('exit', reap);
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes(ready)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${out}`)));
  });
  return {
    url: `redis://127.0.0.1:${p}`,
    port: p,
    // A hung Redis: the process keeps its sockets open and answers nothing.
    pause: () => void child.kill('SIGSTOP'),
    resume: () => void child.kill('SIGCONT'),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}

/**
 * A master of the test's own and a Sentinel (`redis-server --sentinel`) watching it under `name`, as an
 * operator runs them (with one Sentinel and a quorum of 1, enough to name the master).
 */
export async function startOwnSentinel(
  name = 'tollgate',
): Promise<{ master: OwnRedis; sentinel: OwnRedis; sentinels: string; stop(): Promise<void> }> {
  const master = await startOwnRedis();
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-sentinel-'));
  const conf = join(dir, 'sentinel.conf');
  // Sentinel rewrites its configuration file, so it gets one of its own.
  writeFileSync(conf, `port ${port}\nbind 127.0.0.1\ndir ${dir}\nsentinel monitor ${name} 127.0.0.1 ${master.port} 1\n`);
  const sentinel = await spawnRedis(port, [conf, '--sentinel'], '+monitor master');
  const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true });
  try {
    await probe.connect();
    await waitFor(
      async () =>
        ((await probe.call('sentinel', 'get-master-addr-by-name', name)) as string[] | null)?.[1] === String(master.port),
    );
  } finally {
    probe.disconnect();
  }
  return {
    master,
    sentinel,
    sentinels: `127.0.0.1:${port}`,
    async stop() {
      await sentinel.stop();
      await master.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A Redis Cluster of the test's own: `size` masters, no replicas, every slot assigned. */
export async function startOwnCluster(size = 3): Promise<{ nodes: OwnRedis[]; list: string; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-cluster-'));
  const nodes: OwnRedis[] = [];
  for (let i = 0; i < size; i++) {
    const port = await freePort();
    nodes.push(
      await startOwnRedis(port, [
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        join(dir, `nodes-${port}.conf`),
        '--cluster-node-timeout',
        '5000',
        '--dir',
        dir,
      ]),
    );
  }
  const list = nodes.map((n) => `127.0.0.1:${n.port}`);
  await promisify(execFile)('redis-cli', ['--cluster', 'create', ...list, '--cluster-replicas', '0', '--cluster-yes']);
  for (const node of nodes) {
    const probe = new Redis({ port: node.port, host: '127.0.0.1' });
    try {
      await waitFor(async () => String(await probe.call('cluster', 'info')).includes('cluster_state:ok'));
    } finally {
      probe.disconnect();
    }
  }
  return {
    nodes,
    list: list.join(','),
    async stop() {
      for (const node of nodes) await node.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` until it holds (10 s at most): a service's start-up has no event to wait on. */
async function waitFor(check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error('timed out waiting for Redis to settle');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
