import { createServer, connect, type Socket } from 'node:net';

export interface TcpProxy {
  port: number;
  /** Connections accepted so far, per target index. */
  accepted: number[];
  /** Connections turned away or held while cut: each is one attempt by a client to get back. */
  refused(): number;
  /**
   * An outage: `reset` drops every connection and refuses new ones at once (a crashed server);
   * `blackhole` keeps every connection open and silent (a hung server, a partitioned network).
   */
  cut(mode?: 'reset' | 'blackhole'): void;
  restore(): void;
  close(): Promise<void>;
}

/**
 * A TCP proxy the test owns, between Tollgate and a dependency, so a test can take the dependency
 * away without touching the shared service. With several targets it deals connections round-robin,
 * as a load balancer in front of several instances would.
 */
export async function startTcpProxy(targets: { host: string; port: number }[]): Promise<TcpProxy> {
  const pairs = new Set<[Socket, Socket]>();
  const held = new Set<Socket>();
  let mode: 'open' | 'reset' | 'blackhole' = 'open';
  let next = 0;
  let refused = 0;
  const accepted = targets.map(() => 0);

  const server = createServer((client) => {
    client.on('error', () => undefined);
    if (mode !== 'open') refused++;
    if (mode === 'reset') return void client.resetAndDestroy();
    if (mode === 'blackhole') {
      held.add(client);
      client.once('close', () => held.delete(client));
      return;
    }
    const index = next++ % targets.length;
    accepted[index]!++;
    const upstream = connect(targets[index]!);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.once('close', end);
    upstream.once('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };

  return {
    port,
    accepted,
    refused: () => refused,
    cut(how = 'reset') {
      mode = how;
      for (const [client, upstream] of pairs) {
        if (how === 'reset') {
          client.resetAndDestroy();
          upstream.destroy();
        } else {
          // Nothing passes either way any more, and nothing says so.
          client.unpipe(upstream);
          upstream.unpipe(client);
          client.pause();
          upstream.pause();
        }
      }
    },
    restore() {
      mode = 'open';
      // Connections that were black-holed are beyond repair (their streams lost bytes): drop them.
      for (const [client, upstream] of pairs) {
        if (client.isPaused()) {
          client.destroy();
          upstream.destroy();
        }
      }
      for (const socket of held) socket.destroy();
    },
    async close() {
      for (const [client, upstream] of pairs) {
        client.destroy();
        upstream.destroy();
      }
      for (const socket of held) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The same Postgres URL, reached through the proxy. */
export function viaProxy(databaseUrl: string, proxy: TcpProxy): string {
  const url = new URL(databaseUrl);
  url.host = `127.0.0.1:${proxy.port}`;
  return url.toString();
}
