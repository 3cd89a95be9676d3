// The Chancellery's workspace: a single page served by the API at /staff (no CDN: every
// asset is bundled here and served from the API's origin).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/staff/',
  logLevel: 'warn',
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, target: 'es2022', assetsInlineLimit: 0 },
  oxc: { jsx: { runtime: 'automatic' } },
});
