import react from '@vitejs/plugin-react';
import { defaultClientConditions, defineConfig } from 'vite';

// Where `npm start` at the root of Tollgate listens. The app calls /graphql on its own origin and Vite
// forwards it (WebSocket included): same origin, so the refresh cookie needs no CORS at all.
const tollgate = process.env.TOLLGATE_URL ?? 'http://127.0.0.1:4000';
const proxy = { '/graphql': { target: tollgate, ws: true } };

export default defineConfig({
  plugins: [react()],
  resolve: {
    // @tollgate/client comes from this repository (a `file:` link) and is built from its TypeScript
    // source, with no build of the package first. An app that installs it from the registry needs neither line.
    conditions: ['tollgate-source', ...defaultClientConditions],
    // The linked package lives outside node_modules: its imports must find this app's copies, or the
    // bundle carries two Apollo Clients (checked: without this line it has 4.3.7 from the root beside 4.3.8).
    dedupe: ['@apollo/client', 'graphql', 'react', 'react-dom', 'rxjs'],
  },
  // localhost:5173, the development origin the links in account mails are expected to open.
  server: { host: 'localhost', port: 5173, strictPort: true, proxy },
  preview: { host: 'localhost', port: 4173, strictPort: true, proxy },
});
