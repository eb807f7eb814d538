// Lint rules, including the zone rule (renderer → electron → src, never the other way) and
// the module table of src/ (README "Architecture", docs/architecture.md). Each message says
// what to do instead.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { cosiflashPlugin } from './scripts/eslint-rules/cosiflash-plugin.js';

const BASE = ['common', 'model', 'util'];
const BYTES = ['gpt', 'source', 'cosi', 'disk', 'cache'];
/**
 * The module table: the src/ folders each src/ folder may import (files directly in src/,
 * i.e. errors.ts, are open to all). A folder imports only folders listed below it here;
 * `importedInstead` is what the lint message suggests when a folder above is imported.
 */
export const MODULE_TABLE = {
  model: { imports: [], importedInstead: 'src/model/ is plain data types only.' },
  common: { imports: ['model'], importedInstead: 'src/common/ is pure code the renderer may import at run time.' },
  util: { imports: ['common', 'model'], importedInstead: 'src/util/ holds small Node helpers.' },
  gpt: { imports: [...BASE], importedInstead: 'GPT code is reached through src/cosi/ or src/pipeline/.' },
  source: { imports: [...BASE], importedInstead: 'Byte sources are opened by src/cosi/ and src/pipeline/; below them, take an ImageSource parameter.' },
  disk: { imports: [...BASE], importedInstead: 'Disk rules belong to src/disk/; pass DiskInfo (src/model/) into code below it.' },
  cosi: { imports: [...BASE, 'gpt', 'source'], importedInstead: 'Code below src/cosi/ takes the parsed data (src/model/) as a parameter.' },
  cache: { imports: [...BASE, 'gpt', 'source', 'cosi'], importedInstead: 'The image cache is used by src/pipeline/ and the front ends; below them, take an ImageSource.' },
  pipeline: { imports: [...BASE, ...BYTES], importedInstead: 'The flash engine is reached from src/writer/ (the writer process) and the front ends; below it, pass data in.' },
  writer: { imports: [...BASE, ...BYTES, 'pipeline'], importedInstead: 'Only front ends (service, grpc, cli) start a writer process; the pipeline runs inside it and must not know about it.' },
  ipc: { imports: [...BASE], importedInstead: 'Wire formats are for the transports (service, web, grpc, cli); below them, use the plain types of src/model/.' },
  service: { imports: [...BASE, ...BYTES, 'pipeline', 'writer', 'ipc'], importedInstead: 'src/service/ sits on top of the engine: pass what you need in as a parameter, or move the shared piece down to src/model/ (types) or src/common/ (pure code).' },
  web: { imports: [...BASE, ...BYTES, 'pipeline', 'writer', 'ipc', 'service'], importedInstead: 'Only the CLI (serve) starts the web transport; share code through src/service/ instead.' },
  grpc: { imports: [...BASE, ...BYTES, 'pipeline', 'writer', 'ipc', 'service'], importedInstead: 'Only the CLI (serve --grpc) starts the gRPC server; share code through src/service/ instead.' },
  cli: { imports: [...BASE, ...BYTES, 'pipeline', 'writer', 'ipc', 'service', 'web', 'grpc'], importedInstead: 'src/cli/ is the top: move what others need out of it (e.g. into src/service/ or src/common/).' },
};

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
    // The module table between src/ folders, and no import cycles anywhere in the app's code.
    files: ['src/**/*.ts', 'electron/**/*.ts', 'renderer/src/**/*.{ts,tsx}'],
    plugins: { cosiflash: cosiflashPlugin },
    rules: {
      'cosiflash/module-table': ['error', { srcDir: 'src', table: MODULE_TABLE }],
      'cosiflash/no-import-cycle': 'error',
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/common/**'],
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
    // src/common/ runs in the renderer too: no Node, no Electron, no UI libraries.
    files: ['src/common/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        paths: ['electron', 'react', 'react-dom', 'zustand'].map((name) => ({ name, message: 'src/common/ is pure code shared with the renderer: it imports nothing but src/model/ types and other src/common/ files.' })),
        patterns: [
          { group: ['node:*'], message: 'src/common/ also runs in the sandboxed renderer, which has no Node APIs: keep Node code in src/util/ or the folder that needs it.' },
          { group: ['**/electron/**', '**/renderer/**'], message: coreMessage },
        ],
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
            // so src/common/ is re-included as a folder.
            group: ['**/src/**/*', '!**/src/common/', '!**/src/common/**'],
            allowTypeImports: true,
            message: 'At run time the renderer may import only the pure shared layer src/common/; from the rest of src/ (src/ipc, src/model) only types. Use `import type`, move the pure code into src/common/, or ask main through the IPC contract.',
          },
        ],
      }],
    },
  },
);
