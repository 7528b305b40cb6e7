import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Where `npm start` at the root of Tollgate listens. The app calls /graphql on its own origin and Vite
// forwards it (WebSocket included): same origin, so the refresh cookie needs no CORS at all.
const tollgate = process.env.TOLLGATE_URL ?? 'http://127.0.0.1:4000';
const proxy = { '/graphql': { target: tollgate, ws: true } };

export default defineConfig({
  plugins: [react()],
  server: { host: '127.0.0.1', port: 5173, proxy },
  preview: { host: '127.0.0.1', port: 4173, proxy },
});
