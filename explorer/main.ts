// GraphiQL for Tollgate, built by Vite from the project's own dependencies (npm run explorer) and served
// by the development server at /explorer: everything it loads comes from that server, nothing from a CDN.
import 'graphiql/setup-workers/vite';
import 'graphiql/style.css';
import { GraphiQL } from 'graphiql';
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';

type FetcherParams = { query: string; operationName?: string | null; variables?: unknown };

// Same origin as the page, so no CORS; the Headers tab adds `authorization` (and anything else) per request.
async function fetcher(params: FetcherParams, options?: { headers?: Record<string, unknown> }) {
  const response = await fetch(new URL('/graphql', window.location.href), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      ...(options?.headers as Record<string, string> | undefined),
    },
    body: JSON.stringify(params),
  });
  return response.json();
}

const defaultQuery = `# Tollgate's GraphQL API (Docs, top left, lists every field). To sign in, run
#   mutation { register(input: { email: "you@example.com", password: "a long passphrase" }) { accessToken } }
# (or login), put {"authorization": "Bearer <accessToken>"} in Headers below, then run this:
query Me {
  me {
    id
    email
    tier
  }
}
`;

const root = document.getElementById('graphiql');
if (!root) throw new Error('index.html has no #graphiql');
createRoot(root).render(createElement(GraphiQL, { fetcher, defaultQuery, defaultEditorToolsVisibility: true }));
