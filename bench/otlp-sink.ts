import { createServer } from 'node:http';

/**
 * `npx tsx bench/otlp-sink.ts [port]`: an OTLP/HTTP endpoint that accepts every export and drops it, so a
 * bench can run Tollgate with tracing on (OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:<port>) and measure
 * what producing and exporting the spans costs the server, not what a real collector costs the machine.
 */
const port = Number(process.argv[2] ?? 4318);
let exports = 0;
createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    exports++;
    res.writeHead(200, { 'content-type': req.headers['content-type'] ?? 'application/x-protobuf' }).end();
  });
}).listen(port, '127.0.0.1', () => console.log(`OTLP sink on http://127.0.0.1:${port}`));
process.on('SIGTERM', () => {
  console.log(`exports received: ${exports}`);
  process.exit(0);
});
