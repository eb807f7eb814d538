// Lint rules, including the zone rule of docs/architecture.md: renderer → electron → src,
// never the other way. Each message says what to do instead.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const coreMessage = 'src/ is the Node-only core: it must not import Electron, React, the renderer or electron/. Move the code that needs them into electron/ or renderer/ and pass plain data in.';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'dist-electron/', 'release/', 'test-artifacts/', 'bench/.cache/', '.cache/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Named exports only in the project's own modules (config files need their default export).
    files: ['src/**/*.ts', 'electron/**/*.ts', 'renderer/src/**/*.{ts,tsx}', 'test/**/*.{ts,tsx}', 'bench/**/*.ts'],
    rules: {
      'no-restricted-exports': ['error', { restrictDefaultExports: { direct: true, named: true, defaultFrom: true, namedFrom: true, namespaceFrom: true } }],
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        paths: [
          { name: 'electron', message: coreMessage },
          { name: 'react', message: coreMessage },
          { name: 'react-dom', message: coreMessage },
          { name: 'zustand', message: coreMessage },
        ],
        patterns: [{ group: ['**/electron/**', '**/renderer/**'], message: coreMessage }],
      }],
    },
  },
  {
    files: ['electron/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [{ group: ['**/renderer/**'], message: 'electron/ must not import the renderer: send it plain data over the IPC contract (src/ipc/contract.ts) instead.' }],
      }],
    },
  },
  {
    files: ['renderer/src/**/*.ts', 'renderer/src/**/*.tsx'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: 'The renderer is sandboxed: call store actions, which reach main through window.api (the IPC contract).' }],
        patterns: [
          { group: ['node:*'], message: 'The renderer has no Node APIs: ask main through the IPC contract instead.' },
          { group: ['**/electron/**'], message: 'The renderer must not import electron/: use the IPC contract (window.api) through the store.' },
          {
            // gitignore semantics: a file cannot be re-included when its folder is excluded,
            // so src/util/ itself is re-included and only its other files are restricted.
            group: ['**/src/**/*', '!**/src/util/', '**/src/util/*', '!**/src/util/format-units.ts'],
            allowTypeImports: true,
            message: 'The renderer may only import types from src/ (src/ipc, src/model) and the pure src/util/format-units.ts. Use `import type`, or ask main through the IPC contract.',
          },
        ],
      }],
    },
  },
);
