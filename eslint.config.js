// Layer rules (see docs/architecture.md): each folder may import only what its
// runtime allows, and a violation fails `npm test`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
    rules: restrict([...nodeBuiltins.filter((n) => n !== 'node:*'), 'better-sqlite3', '**/main/**', '**/renderer/**'], 'The preload only bridges AuditApi over ipcRenderer.'),
  },
);
