// Layer rules (see docs/architecture.md): each folder may import only what its
// runtime allows, and a violation fails `npm test`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import layers from './scripts/eslint-layers.mjs';

// Inside a runtime layer, capability folders are layered too: each names the
// folders (or root files) it may import, so data and imports flow one way.
// Lowest first; a back import is a lint error (scripts/eslint-layers.mjs).
const nodeErrorsToRead = ['errors', 'read'];
const nodeReaders = [...nodeErrorsToRead, 'formats', 'verify', 'replay'];
const nodeStores = [...nodeReaders, 'store', 'notes'];
export const LAYER_MAP = {
  'src/main/node': {
    errors: [],
    read: ['errors'],
    formats: ['errors', 'read'],
    verify: ['errors', 'read', 'formats'],
    replay: ['errors', 'read', 'formats', 'verify'],
    generate: nodeReaders,
    // Distributed verify and replay (BullMQ on Redis): the map jobs and the ordered reduce, over verify and replay.
    scale: nodeReaders,
    store: nodeReaders,
    notes: [...nodeReaders, 'store'],
    ingest: nodeStores,
    report: nodeStores,
    service: [...nodeStores, 'ingest', 'report'],
    // The desk over HTTP: a door like the CLI, above the service.
    serve: [...nodeStores, 'ingest', 'report', 'service'],
    cli: [...nodeStores, 'ingest', 'report', 'service', 'serve', 'generate', 'scale'],
  },
  'src/shared': {
    hex: [],
    crypto: ['hex'],
    json: ['hex'],
    export: ['hex', 'crypto', 'json'],
    verify: ['hex', 'crypto', 'json', 'export'],
    formats: ['hex', 'crypto', 'json', 'export', 'verify'],
    replay: ['hex', 'crypto', 'json', 'export', 'verify', 'formats'],
    report: ['hex', 'crypto', 'json', 'export', 'verify', 'formats', 'replay'],
    // The IPC contract is made of the domain's types, never the other way round.
    api: ['hex', 'crypto', 'json', 'export', 'verify', 'formats', 'replay', 'report'],
  },
};

// Bare builtin names are matched exactly ("paths"), so a sibling file such as ../crypto is not caught.
const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'crypto', 'child_process', 'worker_threads', 'zlib', 'stream', 'url'];
const restrict = (names, message) => ({
  'no-restricted-imports': [
    'error',
    {
      paths: names.filter((n) => !n.includes('*') && !n.includes('/')).map((name) => ({ name, message })),
      patterns: names.filter((n) => n.includes('*') || n.includes('/')).map((group) => ({ group: [group], message })),
    },
  ],
});

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'build/**', 'node_modules/**', 'bin/**', '.ci/**', 'scratch/**', 'tmp/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['src/main/node/**', 'src/shared/**'],
    plugins: { local: layers },
    rules: { 'local/layers': ['error', LAYER_MAP] },
  },
  {
    files: ['src/shared/**'],
    rules: restrict(
      [...nodeBuiltins, 'electron', 'better-sqlite3', 'react', 'react-dom', '**/main/**', '**/renderer/**', '**/preload/**'],
      'src/shared is the pure domain: no Node, no DOM, no Electron, no other layer.',
    ),
  },
  {
    files: ['src/main/node/**'],
    rules: restrict(['electron', '**/electron/**', '**/renderer/**', '**/preload/**', 'react'], 'src/main/node runs under plain Node: no Electron, no UI.'),
  },
  {
    files: ['src/renderer/**'],
    rules: restrict([...nodeBuiltins, 'electron', 'better-sqlite3', '**/main/**', '**/preload/**'], 'The renderer knows AuditApi only, never how calls travel.'),
  },
  {
    files: ['src/preload/**'],
    // A sandboxed preload has no Node: node:* is refused like the bare names.
    rules: restrict([...nodeBuiltins, 'better-sqlite3', '**/main/**', '**/renderer/**'], 'The preload only bridges AuditApi over ipcRenderer.'),
  },
);
