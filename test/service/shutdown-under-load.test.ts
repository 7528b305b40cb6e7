import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { print } from 'graphql';
import { afterAll, describe, expect, it } from 'vitest';
import { LoginDocument, MeDocument, RegisterDocument } from '../../src/client/generated/graphql.js';
import { createTestDatabase } from '../helpers/database.js';
import { execute } from '../helpers/graphql.js';
import { freePort } from '../helpers/redis.js';
import { newAccount, signedIn } from '../helpers/test-app.js';

const database = await createTestDatabase();
afterAll(() => database.drop());

const SHUTDOWN_TIMEOUT_MS = 8000;
type Outcome = 'answered' | 'refused' | 'failed';

interface Result {
  outcome: Outcome;
  detail?: string;
  /** The client's port of the connection: for a reset, the server's debug log says whether it took it. */
  port?: number;
}

/** One POST on the shared keep-alive agent: answered (any complete response), refused before any connection, or failed. */
function post(agent: Agent, port: number, body: string, token?: string): Promise<Result> {
  return new Promise((resolve) => {
    let localPort: number | undefined;
    const req = request(
      {
        agent,
        host: '127.0.0.1',
        port,
        path: '/graphql',
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () =>
          resolve(
            res.statusCode === 200 && text.includes('"data"')
              ? { outcome: 'answered', port: localPort }
              : { outcome: 'failed', detail: text },
          ),
        );
        res.on('error', (e) => resolve({ outcome: 'failed', detail: e.message }));
      },
    );
    req.on('socket', (socket) => {
      localPort = socket.localPort;
      socket.once('connect', () => (localPort = socket.localPort));
    });
    req.on('error', (e: NodeJS.ErrnoException) =>
      resolve(
        e.code === 'ECONNREFUSED'
          ? { outcome: 'refused' }
          : { outcome: 'failed', detail: `${e.code}: ${e.message}`, port: localPort },
      ),
    );
    req.end(body);
  });
}

// What `npm start` runs, on Postgres, without npm in between, so the signal and exit code are the service's own.
describe('SIGTERM under load', () => {
  it('answers every accepted request of 50 busy connections, resets none, and exits 0 within SHUTDOWN_TIMEOUT_MS', {
    timeout: 120_000,
  }, async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NODE_ENV: 'test',
        PORT: String(port),
        DATABASE_URL: database.url,
        // debug: the server logs each connection it takes (see below).
        LOG_LEVEL: 'debug',
        // Under a fully loaded CI machine, 50 busy connections can wait longer than the 2 s fail-fast default for
        // one of 10 pooled connections, and get SERVICE_UNAVAILABLE (the overload answer, tested with the
        // outages): this test is about the drain, so it gives the pool room.
        DATABASE_ACQUIRE_TIMEOUT_MS: '30000',
        SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
        RATE_LIMITS: JSON.stringify({
          'Query.me': { FREE: 1_000_000 },
          'Mutation.login': { FREE: 1_000_000 },
          'Mutation.register': { FREE: 1_000_000 },
        }),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    process.once('exit', () => child.kill('SIGKILL'));

    const url = `http://127.0.0.1:${port}`;
    await expect.poll(async () => (await fetch(`${url}/health/ready`).catch(() => null))?.status, { timeout: 60_000 }).toBe(200);
    // Accounts enough that no two workers often sign in to one at once: parallel sign-ins to one account
    // beyond its failed-login budget are refused before argon2 runs (the brute-force guard), not what this tests.
    const accounts = await Promise.all(
      Array.from({ length: 25 }, async () => {
        const account = newAccount();
        const { accessToken } = signedIn((await execute(url, RegisterDocument, { input: account })).data!.register);
        const login = JSON.stringify({
          query: print(LoginDocument),
          variables: { input: { identifier: account.email, password: account.password } },
        });
        return { accessToken, login };
      }),
    );
    const me = JSON.stringify({ query: print(MeDocument) });

    const agent = new Agent({ keepAlive: true, maxSockets: 50 });
    const counts: Record<Outcome, number> = { answered: 0, refused: 0, failed: 0 };
    const failures: string[] = [];
    const resets: { port: number; detail: string }[] = [];
    const answeredPorts = new Set<number>();
    // 50 connections, each sending its next request as soon as the last is answered (every tenth a
    // login, which takes an argon2 verification), until the server turns new connections away.
    const workers = Array.from({ length: 50 }, async (_, w) => {
      const { accessToken, login } = accounts[w % accounts.length]!;
      for (let i = 0; ; i++) {
        const result = await post(agent, port, (i + w) % 10 === 0 ? login : me, accessToken);
        const { outcome, detail } = result;
        if (outcome === 'answered' && result.port) answeredPorts.add(result.port);
        if (detail?.startsWith('ECONNRESET') && result.port) resets.push({ port: result.port, detail });
        else {
          counts[outcome]++;
          if (detail) failures.push(detail);
        }
        if (outcome !== 'answered') return;
      }
    });
    await expect.poll(() => counts.answered, { timeout: 30_000, interval: 20 }).toBeGreaterThan(100);
    const signalled = Date.now();
    child.kill('SIGTERM');
    await Promise.all(workers);
    expect(await exited, out).toBe(0);
    const tookMs = Date.now() - signalled;
    agent.destroy();

    // A busy Node process takes one new connection per event-loop turn; a connection the kernel completed
    // but the server never took is reset by the kernel when the listener closes, unread. That is a refusal
    // (nothing was processed), told apart from a reset of a connection the server took by its debug log.
    const taken = new Set(
      out
        .split('\n')
        .filter((line) => line.includes('"connection accepted"'))
        .map((line) => (JSON.parse(line) as { port: number }).port),
    );
    // The log is read right: every connection that carried an answer is in it.
    expect([...answeredPorts].filter((p) => !taken.has(p))).toEqual([]);
    for (const reset of resets) {
      if (taken.has(reset.port)) failures.push(`reset after the server took the connection: ${reset.detail}`);
      else counts.refused++;
    }
    expect(failures).toEqual([]);
    expect(counts.failed).toBe(0);
    expect(counts.refused).toBe(50);
    expect(tookMs).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
  });
});
