import { writeFileSync } from 'node:fs';
import { createLogger, requestLineWriter } from '../src/logger.js';
import { cpuMs, round3 } from './cpu.js';

/**
 * The request log line alone, in its own process: Tollgate's production logger (buffered stdout, read by
 * the bench like a log collector would), writing the line src/http/server.ts writes per request. Differences
 * between two servers are too small to see through the drift of a shared machine; this is exact. Writes
 * {"lineCpuMs": …} to the file LOG_LINE_RESULT names, since stdout is the log.
 */

const lines = Number(process.env.LOG_LINES ?? 100_000);
const log = createLogger({ level: 'info' });
const requestLine = requestLineWriter(log);
if (!requestLine) throw new Error('the request line is written at info');
const REQUEST_ID = '5b0e4c1a-8f7d-4d6b-9a3e-2c1f0e9d8b7a';

const run = () => {
  for (let i = 0; i < lines; i++) {
    const reqId = REQUEST_ID;
    // As per request: the request line (the request's child logger is made only when something else logs).
    requestLine(reqId, 'POST', '/graphql', 200, 1.235);
  }
};

run(); // warm-up
const before = cpuMs('self');
run();
const after = cpuMs('self');
const lineCpuMs = before !== null && after !== null ? round3(((after - before) / lines) * 1000) / 1000 : null;
writeFileSync(process.env.LOG_LINE_RESULT ?? '/dev/stderr', JSON.stringify({ lines, lineCpuMs }));
process.exit(0);
