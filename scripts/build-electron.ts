/**
 * Bundles the Electron side into dist-electron/ with esbuild:
 * - main.js        Electron main (ESM; package.json "type": "module"), core included
 * - preload.cjs    the sandboxed preload, one CommonJS file (sandboxed preloads cannot require)
 * - writer-main.mjs + its worker_threads entries (*.mjs), run by Electron as Node
 *   (ELECTRON_RUN_AS_NODE=1), unpacked from the asar by electron-builder.yml
 *
 * Two source patterns are rewritten while bundling, and the build fails loudly when they
 * change shape: worker URLs `new URL('./x.ts', import.meta.url)` point at the bundled
 * `./x.mjs` (each such file becomes its own entry), and the `createRequire` trick that
 * reaches a package file hidden by its "exports" map becomes a static import, so the
 * writer needs no node_modules next to it. Native modules (drivelist) stay external.
 *
 * Usage: node scripts/build-electron.ts (npm run build:electron)
 */
import { readFile, readdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_OUT_DIR = path.join(root, 'dist-electron');
const WORKER_URL = /new URL\((['"])\.\/([\w-]+)\.ts\1,\s*import\.meta\.url\)/g;
const HIDDEN_PACKAGE_FILE = /require\(path\.join\(path\.dirname\(require\.resolve\((['"])([\w@/.-]+)\1\)\),\s*(['"])([\w./-]+)\3\)\)/g;
/** Native or binary-path-dependent packages: loaded from node_modules at run time. */
const EXTERNAL = ['electron', 'drivelist'];

/** The ESM bundles contain CommonJS dependencies that call require(): give them one. */
export const ESM_BANNER = "import { createRequire as __cosiflashCreateRequire } from 'node:module'; const require = __cosiflashCreateRequire(import.meta.url);";

async function listTsFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile() && entry.name.endsWith('.ts')).map((entry) => path.join(entry.parentPath, entry.name));
}

/** Worker entry files referenced through `new URL('./x.ts', import.meta.url)` in src/. */
async function findWorkerEntries(): Promise<string[]> {
  const found = new Set<string>();
  for (const file of await listTsFiles(path.join(root, 'src'))) {
    const text = await readFile(file, 'utf8');
    for (const match of text.matchAll(WORKER_URL)) found.add(path.join(path.dirname(file), `${match[2]}.ts`));
  }
  return [...found].sort();
}

export function rewriteForBundle(): Plugin {
  const requireFrom = createRequire(path.join(root, 'package.json'));
  return {
    name: 'cosiflash-rewrite-for-bundle',
    setup(pluginBuild) {
      pluginBuild.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, async (args) => {
        let text = await readFile(args.path, 'utf8');
        text = text.replace(WORKER_URL, (_all, quote: string, name: string) => `new URL(${quote}./${name}.mjs${quote}, import.meta.url)`);
        const imports: string[] = [];
        text = text.replace(HIDDEN_PACKAGE_FILE, (_all, _q1: string, pkg: string, _q2: string, file: string) => {
          const target = path.join(path.dirname(requireFrom.resolve(pkg)), file);
          const name = `__cosiflashHidden${imports.length}`;
          imports.push(`import ${name} from ${JSON.stringify(target)};`);
          return name;
        });
        if (imports.length === 0 && /require\.resolve\(/.test(text)) {
          throw new Error(`${path.relative(root, args.path)}: require.resolve() cannot be bundled; import the module statically or extend scripts/build-electron.ts.`);
        }
        return { contents: `${imports.join('\n')}\n${text}`, loader: 'ts' };
      });
    },
  };
}

/** Builds every bundle into `outDir` (default dist-electron/); returns the file names produced. */
export async function buildElectron(options: { outDir?: string; quiet?: boolean } = {}): Promise<string[]> {
  const outDir = options.outDir ?? DEFAULT_OUT_DIR;
  await rm(outDir, { recursive: true, force: true });
  const common = {
    bundle: true,
    platform: 'node' as const,
    target: 'node22',
    sourcemap: 'linked' as const,
    legalComments: 'none' as const,
    external: EXTERNAL,
    plugins: [rewriteForBundle()],
    logLevel: 'warning' as const,
  };
  const workers = await findWorkerEntries();
  await Promise.all([
    build({ ...common, entryPoints: { main: path.join(root, 'electron/main.ts') }, outdir: outDir, format: 'esm', outExtension: { '.js': '.js' }, banner: { js: ESM_BANNER } }),
    build({ ...common, entryPoints: { preload: path.join(root, 'electron/preload.ts') }, outdir: outDir, format: 'cjs', outExtension: { '.js': '.cjs' } }),
    build({
      ...common,
      entryPoints: Object.fromEntries([path.join(root, 'src/writer/writer-main.ts'), ...workers].map((file) => [path.basename(file, '.ts'), file])),
      outdir: outDir,
      format: 'esm',
      outExtension: { '.js': '.mjs' },
      banner: { js: ESM_BANNER },
    }),
  ]);
  const produced = (await readdir(outDir)).filter((name) => !name.endsWith('.map')).sort();
  if (!options.quiet) process.stdout.write(`${path.relative(root, outDir) || outDir}: ${produced.join(', ')}\n`);
  return produced;
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildElectron();
}
