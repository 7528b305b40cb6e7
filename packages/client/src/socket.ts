import type { TokenManager } from './token-manager.js';

/**
 * What a graphql-ws client needs to stay signed in, without depending on graphql-ws: spread it into
 * `createClient({ url, ...socketAuth(tokens) })`. Tollgate reads the token from `connection_init` and closes
 * the socket with 4403 when the access token expires or the session ends (revoked from another device,
 * signed out everywhere); renewing tells the two apart, and a session that cannot be renewed signs every
 * tab out at once rather than at the next click.
 */
export function socketAuth(tokens: TokenManager) {
  let used: string | null = null;
  return {
    lazy: false,
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: () => tokens.getState().status === 'signed-in',
    // Called again on every reconnect, so a renewed token is sent.
    connectionParams: async (): Promise<Record<string, string>> => {
      used = await tokens.accessToken();
      return used ? { authorization: `Bearer ${used}` } : {};
    },
    on: {
      closed: (event: unknown) => {
        const code = (event as { code?: unknown } | null)?.code;
        if (code !== 4403 || !used || tokens.replacing) return;
        void tokens.renew(used).catch(() => undefined);
      },
    },
  };
}

/**
 * Keeps a resource open exactly while someone is signed in (a socket, say): `open` runs on sign-in, the
 * returned close on sign-out. Answers the open resource, or null.
 */
export function whileSignedIn<T>(tokens: TokenManager, open: () => T, close: (resource: T) => void): () => T | null {
  let current: { resource: T } | null = null;
  const sync = () => {
    const signedIn = tokens.getState().status === 'signed-in';
    if (signedIn && !current) current = { resource: open() };
    if (!signedIn && current) {
      close(current.resource);
      current = null;
    }
  };
  tokens.subscribe(sync);
  sync();
  return () => current?.resource ?? null;
}
