import { print } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { ResourceProgressChangedDocument, type ResourceProgressChangedSubscription } from '../../src/client/generated/graphql.js';

type Progress = ResourceProgressChangedSubscription['resourceProgressChanged'];

/**
 * A graphql-ws client the way an SPA would open one, collecting what a subscription delivers and
 * how the socket closed.
 */
export function subscribeToProgress(baseUrl: string, token: string | null, resourceId: string) {
  const received: Progress[] = [];
  const errors: unknown[] = [];
  let closeCode: number | null = null;
  let completed = false;
  const client: Client = createClient({
    url: `${baseUrl.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
    lazy: false,
    on: { closed: (event) => (closeCode = (event as { code: number }).code) },
    onNonLazyError: () => undefined,
  });
  const dispose = client.subscribe<{ resourceProgressChanged: Progress }>(
    { query: print(ResourceProgressChangedDocument), variables: { resourceId } },
    {
      next: (value) => {
        if (value.data) received.push(value.data.resourceProgressChanged);
        if (value.errors) errors.push(...value.errors);
      },
      error: (error) => errors.push(error),
      complete: () => (completed = true),
    },
  );
  return {
    received,
    errors,
    closeCode: () => closeCode,
    completed: () => completed,
    async close() {
      dispose();
      await client.dispose();
    },
  };
}
