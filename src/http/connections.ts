import type { Server, ServerResponse } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';
import type { Logger } from '../logger.js';

interface Tracked {
  address: string;
  busy: number;
  idleSince: number;
}

/**
 * The server's connections: a cap per peer address, and a drain for shutdown that answers every
 * request it has accepted without resetting a connection a client may be writing to.
 */
export function manageConnections(server: Server, { maxPerAddress, logger }: { maxPerAddress: number; logger: Logger }) {
  const sockets = new Map<Socket, Tracked>();
  const perAddress = new Map<string, number>();
  const inFlight = new Set<ServerResponse>();
  let draining = false;

  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    const count = (perAddress.get(address) ?? 0) + 1;
    // The cap is on the peer address: behind a proxy that is the proxy, so raise or disable it there.
    if (maxPerAddress > 0 && count > maxPerAddress) {
      logger.debug({ peer: address, port: socket.remotePort }, 'connection refused: too many from this address');
      refuse(socket);
      return;
    }
    // At debug, which connections this process took: a busy Node process takes one new connection per
    // event-loop turn, and those the kernel still holds when the listener closes are reset unread.
    logger.debug({ peer: address, port: socket.remotePort }, 'connection accepted');
    perAddress.set(address, count);
    sockets.set(socket, { address, busy: 0, idleSince: Date.now() });
    socket.once('close', () => {
      sockets.delete(socket);
      const left = (perAddress.get(address) ?? 1) - 1;
      if (left > 0) perAddress.set(address, left);
      else perAddress.delete(address);
    });
  });

  server.on('request', (req, res: ServerResponse) => {
    const tracked = sockets.get(req.socket);
    if (tracked) tracked.busy++;
    inFlight.add(res);
    if (draining) res.setHeader('connection', 'close');
    res.once('close', () => {
      inFlight.delete(res);
      if (!tracked) return;
      tracked.busy--;
      tracked.idleSince = Date.now();
    });
  });

  return {
    inFlight: () => inFlight.size,
    /**
     * Stops accepting connections; each accepted request is answered with `Connection: close`; a
     * keep-alive connection is closed once it has been idle for idleGraceMs (a quarter of the timeout,
     * at most 2 s), so a busy client that has just written its next request on it is still
     * answered; at the deadline the rest are cut.
     */
    async drain(timeoutMs: number, idleGraceMs = Math.min(2000, timeoutMs / 4)): Promise<void> {
      draining = true;
      for (const res of inFlight) if (!res.headersSent) res.setHeader('connection', 'close');
      // net.Server's close, not http's: http's also cuts idle keep-alive connections at once, racing
      // a client that is sending its next request on one.
      const closed = new Promise<void>((resolve) => NetServer.prototype.close.call(server, () => resolve()));
      const deadline = Date.now() + timeoutMs;
      while (sockets.size > 0 && Date.now() < deadline) {
        const now = Date.now();
        for (const [socket, t] of sockets) if (t.busy === 0 && now - t.idleSince >= idleGraceMs) socket.end();
        await new Promise((r) => setTimeout(r, 20));
      }
      server.closeAllConnections();
      for (const socket of sockets.keys()) socket.destroy();
      await closed;
      // http's own close clears its timeout-checking interval; the listener is already closed.
      server.close(() => undefined);
    },
  };
}

const TOO_MANY = '{"errors":[{"message":"Too many open connections from this address.","extensions":{"code":"RATE_LIMITED"}}]}';

/** Answers a connection over the cap with 429 and closes it, before reading anything from it. */
function refuse(socket: Socket) {
  socket.pause();
  socket.end(
    `HTTP/1.1 429 Too Many Requests\r\ncontent-type: application/json; charset=utf-8\r\nretry-after: 1\r\n` +
      `connection: close\r\ncontent-length: ${Buffer.byteLength(TOO_MANY)}\r\n\r\n${TOO_MANY}`,
  );
  setTimeout(() => socket.destroy(), 1000).unref();
}
