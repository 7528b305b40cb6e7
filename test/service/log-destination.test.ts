import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const logger = fileURLToPath(new URL('../../src/logger.ts', import.meta.url));

/** Runs `body` in a fresh Node process with `log`, a production logger on buffered stdout, in scope. */
async function inProcess(body: string) {
  const script = `import { createLogger } from ${JSON.stringify(logger)};
const log = createLogger({ level: 'info' });
${body}`;
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { timeout: 20_000 });
    return { code: 0, lines: stdout.split('\n').filter(Boolean) };
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    return { code: failed.code, lines: failed.stdout.split('\n').filter(Boolean) };
  }
}

const messages = (lines: string[]) => lines.map((l) => (JSON.parse(l) as { msg: string }).msg);

describe('the production log destination (buffered stdout)', () => {
  it('writes every buffered line when the process exits', async () => {
    // Fewer bytes than one batch: without the flush on exit they would stay in memory and be lost.
    const { code, lines } = await inProcess(`for (let i = 0; i < 5; i++) log.info({ i }, 'line ' + i);
process.exit(3);`);
    expect(code).toBe(3);
    expect(messages(lines)).toEqual(['line 0', 'line 1', 'line 2', 'line 3', 'line 4']);
  });

  it('writes every line, in order, when the process exits with batches still being written', async () => {
    // Many batches: some are being written asynchronously, some queued, the last one still being filled.
    const { code, lines } = await inProcess(`for (let i = 0; i < 3000; i++) log.info({ i }, 'line ' + i);
process.exit(0);`);
    expect(code).toBe(0);
    expect(messages(lines)).toEqual(Array.from({ length: 3000 }, (_, i) => `line ${i}`));
  });

  it('writes the lines before a fatal error and the fatal line itself', async () => {
    const { code, lines } = await inProcess(`log.info('before');
process.on('uncaughtException', (err) => { log.fatal({ err }, 'crashed'); process.exit(1); });
setTimeout(() => { throw new Error('boom'); }, 1);`);
    expect(code).toBe(1);
    expect(messages(lines)).toEqual(['before', 'crashed']);
  });

  it('writes an uncaught crash’s earlier lines even with no handler', async () => {
    const { code, lines } = await inProcess(`log.info('before');
throw new Error('boom');`);
    expect(code).toBe(1);
    expect(messages(lines)).toEqual(['before']);
  });

  it('writes a quiet process’s lines within a second, without waiting for a full batch', async () => {
    const { lines } = await inProcess(`log.info('alone');
// Keep the process alive past one idle flush, then leave without the exit flush.
setTimeout(() => process.kill(process.pid, 'SIGKILL'), 1500);`);
    expect(messages(lines)).toEqual(['alone']);
  });
});
