import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import type { RequestContext } from '../modules/request/request-context.js';
import { lazyChild, requestLineWriter, type Logger } from '../logger.js';
import { manageConnections } from './connections.js';
import type { StaticFile } from './explorer.js';
import { pickRequestId } from './request-id.js';
import type { Tracing } from '../observability/tracing.js';

export interface HttpDeps {
  apollo: ApolloServer<RequestContext>;
  log: Logger;
  maxBodyBytes: number;
  /** Deadlines for a client to send its headers and its whole request (slow clients get 408). */
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  maxConnectionsPerAddress: number;
  /** Browser origins allowed to call with credentials (cookie mode). */
  corsOrigins: readonly string[];
  /** `log`: the request's child logger, made on first call. */
  buildContext(req: IncomingMessage, res: ServerResponse, requestId: string, log: () => Logger): RequestContext;
  /** Plain routes: path → handler returning a status and a JSON body (or an HTML page). */
  routes: Record<
    string,
    (req: IncomingMessage) => Promise<{ status: number; body: unknown; cacheSeconds?: number; html?: boolean; csp?: string }>
  >;
  /** Told how long each /graphql request took, in seconds (the metrics). */
  observeGraphQL?: ((seconds: number) => void) | undefined;
  /** When tracing: each /graphql request runs in a span of its own, whose trace id its log lines and answer carry. */
  tracing?: Tracing | null | undefined;
  /** Files under a path of their own (the development explorer); null for a path that is not theirs. */
  files?: (pathname: string) => Promise<StaticFile | null>;
}

/**
 * Tollgate's HTTP integration: node:http straight into Apollo's executeHTTPGraphQLRequest. A framework
 * router would cost more than half the throughput of a trivial operation and give nothing we need.
 */
export function createHttpServer(deps: HttpDeps): Server & { inFlight(): number; drain(timeoutMs: number): Promise<void> } {
  // One line per request: reqId, method, path, status and ms are all the line carries.
  const requestLine = requestLineWriter(deps.log);
  const { observeGraphQL, tracing } = deps;
  const server = createServer(timeouts(deps), (req, res) => {
    const started = performance.now();
    const requestId = pickRequestId(req.headers['x-request-id']);
    res.setHeader('x-request-id', requestId);
    res.setHeader('x-content-type-options', 'nosniff');
    const path = pathOf(req.url ?? '/');
    const isGraphQL = path === '/graphql';
    const traced = tracing && isGraphQL ? tracing.startRequest('graphql', { 'http.request.method': req.method ?? 'GET' }) : null;
    const traceId = traced?.traceId;
    const log = lazyChild(deps.log, traceId ? { reqId: requestId, traceId } : { reqId: requestId });
    if (traceId) res.setHeader('x-trace-id', traceId);
    if (requestLine || traced || (observeGraphQL && isGraphQL))
      res.once('finish', () => {
        const elapsed = performance.now() - started;
        if (isGraphQL) observeGraphQL?.(elapsed / 1000);
        if (traced) {
          traced.span.setAttribute('http.response.status_code', res.statusCode);
          traced.span.end();
        }
        if (requestLine)
          requestLine(
            requestId,
            req.method ?? 'GET',
            pathOf(req.url ?? '/'),
            res.statusCode,
            Math.round(elapsed * 1000) / 1000,
            traceId,
          );
      });
    const handled = () => handle(deps, req, res, requestId, log);
    // A request the sampler left out keeps its trace id (logs, header) but runs outside any context: nothing
    // below it makes a span.
    (traced?.span.isRecording() && tracing ? tracing.within(traced.context, handled) : handled()).catch((err: unknown) => {
      // A client that hangs up mid-request is the client's business, not a fault of ours: no error line.
      if (req.destroyed && isClientAbort(err)) {
        log().info({ event: 'client_abort', code: (err as { code?: string }).code }, 'client closed the connection mid-request');
        return;
      }
      log().error({ err }, 'request failed');
      if (!res.headersSent)
        sendJson(res, 500, {
          errors: [{ message: 'Internal server error.', extensions: { code: 'INTERNAL_SERVER_ERROR', requestId } }],
        });
      else res.destroy();
    });
  });
  const connections = manageConnections(server, { maxPerAddress: deps.maxConnectionsPerAddress, logger: deps.log });
  return Object.assign(server, { inFlight: connections.inFlight, drain: connections.drain });
}

/**
 * A client that trickles its headers or body holds a socket and memory: Node answers 408 and closes
 * it past these deadlines, checked every second (Node's default check runs every 30 s).
 */
const timeouts = (deps: HttpDeps) => ({
  headersTimeout: deps.headersTimeoutMs,
  requestTimeout: deps.requestTimeoutMs,
  connectionsCheckingInterval: Math.min(1000, deps.headersTimeoutMs),
});

/** The request target's path and query, split as written (a WHATWG URL per request cost more than the split). */
const pathOf = (target: string) => {
  const q = target.indexOf('?');
  return q < 0 ? target : target.slice(0, q);
};

async function handle(deps: HttpDeps, req: IncomingMessage, res: ServerResponse, requestId: string, log: () => Logger) {
  const target = req.url ?? '/';
  const pathname = pathOf(target);
  const route = deps.routes[pathname];
  if (route) {
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: 'method not allowed' });
    const { status, body, cacheSeconds, html, csp } = await route(req);
    res.setHeader('cache-control', cacheSeconds ? `public, max-age=${cacheSeconds}` : 'no-store');
    if (html && typeof body === 'string') {
      res.writeHead(status, {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': csp ?? "default-src 'none'; style-src 'unsafe-inline'",
      });
      return void res.end(body);
    }
    return sendJson(res, status, body);
  }
  const file = pathname !== '/graphql' ? await deps.files?.(pathname) : null;
  if (file) {
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: 'method not allowed' });
    res.writeHead(file.status, { 'cache-control': 'no-store', ...file.headers, 'content-type': file.contentType });
    return void res.end(req.method === 'HEAD' ? undefined : file.body);
  }
  if (pathname !== '/graphql') return sendJson(res, 404, { error: 'not found' });
  if (!applyCors(req, res, deps.corsOrigins)) return;

  const body = await readBody(req, deps.maxBodyBytes);
  if (body === tooLarge)
    return sendJson(res, 413, {
      errors: [{ message: 'Request body too large.', extensions: { code: 'BAD_REQUEST', requestId } }],
    });
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  let parsed: unknown = body;
  if (body && (headers.get('content-type') ?? '').includes('application/json')) {
    try {
      parsed = JSON.parse(body);
    } catch {
      return sendJson(res, 400, {
        errors: [{ message: 'The request body is not valid JSON.', extensions: { code: 'BAD_REQUEST', requestId } }],
      });
    }
  }
  const result = await deps.apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: {
      method: req.method?.toUpperCase() ?? 'GET',
      headers,
      search: target.slice(pathname.length),
      body: parsed,
    },
    context: async () => deps.buildContext(req, res, requestId, log),
  });
  for (const [key, value] of result.headers) res.setHeader(key, value);
  // Responses carry tokens and personal data: no shared cache may keep them.
  if (!result.headers.has('cache-control')) res.setHeader('cache-control', 'no-store');
  res.statusCode = result.status ?? 200;
  if (result.body.kind === 'complete') {
    res.end(result.body.string);
    return;
  }
  for await (const chunk of result.body.asyncIterator) res.write(chunk);
  res.end();
}

const CORS_ALLOWED_HEADERS = 'content-type, authorization, x-request-id, x-token-delivery, apollo-require-preflight';

/**
 * Only configured origins get CORS headers, and with them credentials. Returns false when it has
 * answered the request itself (a preflight).
 */
function applyCors(req: IncomingMessage, res: ServerResponse, allowed: readonly string[]): boolean {
  const origin = req.headers.origin;
  const permitted = origin !== undefined && allowed.includes(origin);
  res.setHeader('vary', 'Origin');
  if (permitted) {
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('access-control-allow-credentials', 'true');
    // A browser app reads its budget and its wait from these; without exposing them a cross-origin page sees none.
    res.setHeader(
      'access-control-expose-headers',
      'x-request-id, x-trace-id, x-ratelimit-limit, x-ratelimit-remaining, x-ratelimit-reset, retry-after',
    );
  }
  if (req.method !== 'OPTIONS') return true;
  if (permitted) {
    res.writeHead(204, {
      'access-control-allow-methods': 'GET, POST, OPTIONS',
      'access-control-allow-headers': CORS_ALLOWED_HEADERS,
      'access-control-max-age': '600',
    });
  } else {
    res.writeHead(403);
  }
  res.end();
  return false;
}

const isClientAbort = (err: unknown) => {
  const code = (err as { code?: string } | null)?.code;
  return code === 'ECONNRESET' || code === 'ECONNABORTED' || code === 'EPIPE' || (err as Error | null)?.message === 'aborted';
};

const tooLarge = Symbol('too large');

function readBody(req: IncomingMessage, limit: number): Promise<string | typeof tooLarge> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      req.resume();
      resolve(tooLarge);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        resolve(tooLarge);
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
