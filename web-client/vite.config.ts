/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The server `npm run dev` proxies the API to (SWITCHBOARD_URL, default 127.0.0.1:8080).
const api = process.env.SWITCHBOARD_URL || 'http://127.0.0.1:8080';

// Built into dist/ and embedded in the switchboard binary, which serves dist/assets/ with
// long cache lifetimes: every file there carries a content hash in its name.
export default defineConfig({
  plugins: [react()],
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    // GraphiQL's editor is one large dependency; it is loaded once and cached for good.
    chunkSizeWarningLimit: 2000,
    rollupOptions: {
      input: {
        // Relative to the project root, where `npm run build` runs.
        index: 'index.html',
        graphiql: 'graphiql.html',
      },
    },
  },
  server: {
    proxy: {
      '/graphql': { target: api, ws: true },
      '/media': { target: api },
      '/healthz': { target: api },
    },
  },
  test: {
    environment: 'jsdom',
    setupFiles: ['src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    css: false,
  },
});
