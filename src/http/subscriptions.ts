import type { IncomingMessage, Server } from 'node:http';
import type { GraphQLError, GraphQLFormattedError, GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { RequestContext } from '../modules/request/request-context.js';
import { isDatabaseUnavailable } from '../db/outage.js';
import { ErrorCode, isExpectedError, serviceUnavailable } from '../errors.js';
import type { Logger } from '../logger.js';
import type { ChangeBus } from '../modules/realtime/change-bus.js';
import { bearerToken } from '../modules/token/access-token.claims.js';

interface Connection {
  request: IncomingMessage;
  bearer: string;
  userId: string;
  sessionId: string;
}

/**
 * graphql-ws on the same /graphql path. The access token travels in the connection_init payload as
 * { authorization: "Bearer <token>" }, the same value as the HTTP header; a connection without a
 * valid one is closed (4403). A socket is closed when its session ends, on any instance, or when
 * its access token expires.
 */
export function attachSubscriptions(deps: {
  http: Server;
  schema: GraphQLSchema;
  bus: ChangeBus;
  log: Logger;
  now: () => Date;
  buildContext(req: IncomingMessage, bearer: string): RequestContext;
}) {
  const { http, schema, bus, log, now, buildContext } = deps;
  const wss = new WebSocketServer({ server: http, path: '/graphql' });
  const open = new Map<WebSocket, Connection>();

  const stopListening = bus.onSessionsEnded(({ userId, sessionId }) => {
    for (const [socket, conn] of open) {
      if (conn.userId === userId && (sessionId === null || conn.sessionId === sessionId)) socket.close(4403, 'Session ended');
    }
  });
  // Sessions that ended while the bus was down were not heard of: each socket's session is checked again.
  const stopRechecking = bus.onReconnect(() => {
    for (const [socket, conn] of open) {
      buildContext(conn.request, conn.bearer)
        .viewerOrNull()
        .then(
          (viewer) => viewer || socket.close(4403, 'Session ended'),
          (err: unknown) => log.warn({ err }, 'could not re-check a subscription socket'),
        );
    }
  });

  const server = useServer<{ authorization?: unknown }, { connection: Connection }>(
    {
      schema,
      onConnect: async (ctx) => {
        const raw = ctx.connectionParams?.authorization;
        const bearer = typeof raw === 'string' ? bearerToken(raw) : null;
        if (!bearer) return false;
        const viewer = await buildContext(ctx.extra.request, bearer).viewerOrNull();
        if (!viewer) return false;
        const connection = { request: ctx.extra.request, bearer, userId: viewer.user.id, sessionId: viewer.session.id };
        ctx.extra.connection = connection;
        const { socket } = ctx.extra;
        open.set(socket, connection);
        socket.once('close', () => open.delete(socket));
        const expiresInMs = viewer.claims.exp * 1000 - now().getTime();
        setTimeout(() => socket.close(4403, 'Access token expired'), Math.max(0, expiresInMs)).unref();
        return true;
      },
      context: (ctx) => buildContext(ctx.extra.request, (ctx.extra.connection as Connection).bearer),
      // Same masking as over HTTP: expected errors keep their codes, anything else is logged and hidden.
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: result.errors.map((e) => mask(e, log)) } : undefined,
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => mask(e, log)),
    },
    wss,
  );

  return {
    async close() {
      stopListening();
      stopRechecking();
      for (const socket of open.keys()) socket.close(1001, 'Server shutting down');
      await server.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

function mask(error: GraphQLError, log: Logger): GraphQLFormattedError {
  // No original error: graphql-js refused the document itself, which is the client's mistake.
  if (!error.originalError) return { ...error.toJSON(), extensions: { code: 'GRAPHQL_VALIDATION_FAILED', ...error.extensions } };
  if (isExpectedError(error.originalError)) return error.toJSON();
  if (isDatabaseUnavailable(error.originalError)) {
    const { message, extensions } = serviceUnavailable();
    return { message, ...(error.path ? { path: error.path } : {}), extensions };
  }
  log.error({ err: error.originalError, path: error.path }, 'unexpected error in a subscription');
  return {
    message: 'Internal server error.',
    ...(error.path ? { path: error.path } : {}),
    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
  };
}
