/**
 * Builds the renderer (React 19 + zustand) into dist/renderer.
 *
 * `base: './'` makes every asset URL relative, so the same build loads from `file://` in
 * Electron and from `cosiflash serve` (web mode). Vite's built-in TSX transform handles JSX
 * (automatic runtime), so no React plugin is needed.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const rendererRoot = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: rendererRoot,
  base: './',
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // One small app: keep the chunk-size warning meaningful for it.
    chunkSizeWarningLimit: 700,
  },
});
