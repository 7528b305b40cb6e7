import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/** Where the built explorer goes, and where the development server serves /explorer from. */
export const explorerOutDir = fileURLToPath(new URL('../.data/explorer/', import.meta.url));

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/explorer/',
  logLevel: 'error',
  // Only what this folder holds; the repository's own public/ or .env files are none of its business.
  publicDir: false,
  envDir: false,
  build: {
    outDir: explorerOutDir,
    emptyOutDir: true,
    // GraphiQL brings the Monaco editor: large chunks are expected, and served from disk on localhost.
    chunkSizeWarningLimit: 8192,
    reportCompressedSize: false,
  },
});
