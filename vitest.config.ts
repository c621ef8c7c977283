import { configDefaults, defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// Suites that need more than Node: a browser (Debian's Chromium), killed
// processes and full disks, whole builds. `npm test` runs every project;
// `npm run test:unit` only the fast one.
const BROWSER = ['test/e2e/**/*.test.ts', 'test/hostile/xss-browser.test.ts'];
const FAULTS = ['test/faults/**/*.test.ts'];
// A real redis-server and worker processes (distributed verify and replay).
const SCALE = ['test/scale/**/*.test.ts'];
const HOSTILE = ['test/hostile/**/*.test.ts'];
const BUILDS = ['test/electron/built-workers.test.ts', 'test/electron/packaging.test.ts'];
const ALL = ['test/**/*.test.ts', 'test/**/*.test.tsx'];

export default defineConfig({
  plugins: [react()],
  test: {
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    setupFiles: ['test/setup.ts'],
    projects: [
      { extends: true, test: { name: 'unit', include: ALL, exclude: [...configDefaults.exclude, ...BROWSER, ...FAULTS, ...SCALE, ...HOSTILE, ...BUILDS] } },
      { extends: true, test: { name: 'hostile', include: HOSTILE, exclude: [...configDefaults.exclude, ...BROWSER] } },
      { extends: true, test: { name: 'builds', include: BUILDS } },
      { extends: true, test: { name: 'browser', include: BROWSER } },
      { extends: true, test: { name: 'faults', include: FAULTS } },
      { extends: true, test: { name: 'scale', include: SCALE } },
    ],
  },
});
