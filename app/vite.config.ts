/**
 * The owner app's build: static files in app/dist (`npm run build:app`), served by
 * `npm run app` in development. Configuration is read at load time from `zkpin-app.json`
 * next to index.html (src/config.ts), never compiled in: one build serves any cluster.
 */
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, target: 'es2022' },
  server: { port: 5173, strictPort: false },
});
