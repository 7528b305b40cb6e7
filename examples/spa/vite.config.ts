import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Where `npm start` at the root of Tollgate listens. The app calls /graphql on its own origin and Vite
// forwards it (WebSocket included): same origin, so the refresh cookie needs no CORS at all.
const tollgate = process.env.TOLLGATE_URL ?? 'http://127.0.0.1:4000';
const proxy = { '/graphql': { target: tollgate, ws: true } };

export default defineConfig({
  plugins: [react()],
  // localhost:5173, the development origin the links in account mails are expected to open.
  server: { host: 'localhost', port: 5173, strictPort: true, proxy },
  preview: { host: 'localhost', port: 4173, strictPort: true, proxy },
});
