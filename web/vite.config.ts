import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** The web UI bundle: built into web/dist and served by `quarry serve` at `/`. */
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    // `npx vite web` during development: the API comes from a running `quarry serve`.
    proxy: { '/api': 'http://127.0.0.1:7080' },
  },
});
