import type { IncomingMessage, Server } from 'node:http';
import { CloseCode, handleProtocols, type ServerOptions, makeServer } from 'graphql-ws';
import { type WebSocket, WebSocketServer } from 'ws';
import type { Logger } from '../logger.js';

/** Close codes a client can act on, beside graphql-ws's own (4400, 4401, 4403, 4408, 4409, 4500). */
export const WsCloseCode = {
  /** Too many sockets from this address or for this user: close another first (the reason says which). */
  TooManyConnections: 4429,
  /** The session ended or the token expired or went out of date: refresh, then reconnect. */
  Forbidden: CloseCode.Forbidden,
} as const;

export interface WsExtra {
  socket: WebSocket;
  request: IncomingMessage;
}

/**
 * graphql-ws served on `ws`, in place of graphql-ws's own `useServer`: that one prints every internal
 * error with console.error, a document's syntax error included, which let a client write a line of its
 * choosing into the service log. Here everything goes through pino, as fields, and a client sees only
 * a close code. Frames are capped at `maxPayload` (ws closes the socket with 1009 beyond it).
 */
export function serveGraphQLWs(options: {
  http: Server;
  path: string;
  maxPayload: number;
  log: Logger;
  graphqlWs: ServerOptions<Record<string, unknown> | undefined, WsExtra>;
  /** Called first on every new socket; a close code refuses it. */
  admitSocket(socket: WebSocket, request: IncomingMessage): { code: number; reason: string } | null;
  keepAliveMs?: number;
}) {
  const { log, keepAliveMs = 12_000 } = options;
  const wss = new WebSocketServer({ server: options.http, path: options.path, maxPayload: options.maxPayload, handleProtocols });
  const server = makeServer(options.graphqlWs);
  wss.on('error', (err) => log.error({ err }, 'websocket server error'));

  wss.on('connection', (socket, request) => {
    socket.on('error', (err) => {
      // Oversized frames and protocol violations: ws has already failed the connection with a code.
      log.warn({ err: { message: err.message, code: (err as { code?: string }).code } }, 'websocket closed on a bad frame');
    });
    const refusal = options.admitSocket(socket, request);
    if (refusal) {
      socket.close(refusal.code, refusal.reason);
      return;
    }
    // A peer that stops answering pings is cut, so a half-open socket does not hold its slots forever.
    let alive = true;
    socket.on('pong', () => {
      alive = true;
    });
    const ping = setInterval(() => {
      if (!alive) return socket.terminate();
      alive = false;
      socket.ping();
    }, keepAliveMs);
    const closed = server.opened(
      {
        protocol: socket.protocol,
        send: (data) =>
          new Promise<void>((resolve, reject) => {
            if (socket.readyState !== socket.OPEN) return resolve();
            socket.send(data, (err) => (err ? reject(err) : resolve()));
          }),
        close: (code, reason) => socket.close(code, reason),
        onMessage: (handle) =>
          socket.on('message', (data) => {
            handle(String(data)).catch((err: unknown) => {
              log.error({ err }, 'unexpected error in a websocket message');
              socket.close(CloseCode.InternalServerError, 'Internal server error');
            });
          }),
      },
      { socket, request },
    );
    socket.once('close', (code, reason) => {
      clearInterval(ping);
      closed(code, String(reason)).catch((err: unknown) => log.error({ err }, 'websocket close handler failed'));
    });
  });

  return {
    wss,
    async close() {
      for (const socket of wss.clients) socket.close(1001, 'Server shutting down');
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
