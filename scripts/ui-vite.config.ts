// Builds only the renderer, for the browser test shell and the UI bench, so
// they do not depend on the Electron main and preload bundles building.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');

export default defineConfig({
  root: resolve(root, 'src/renderer'),
  base: './',
  plugins: [react()],
  logLevel: 'warn',
  build: {
    outDir: process.env.UI_SHELL_OUT ?? resolve(root, 'out/ui-shell'),
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
    rollupOptions: { input: { index: resolve(root, 'src/renderer/index.html') } },
  },
});
