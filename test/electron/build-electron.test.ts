import { execFile } from 'node:child_process';
import { builtinModules } from 'node:module';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildElectron } from '../../scripts/build-electron.ts';

const execFileAsync = promisify(execFile);
let outDir: string;
let produced: string[];

beforeAll(async () => {
  outDir = await mkdtemp(path.join(os.tmpdir(), 'cosiflash-electron-build-'));
  produced = await buildElectron({ outDir, quiet: true });
});
afterAll(() => rm(outDir, { recursive: true, force: true }));

/** Bare module specifiers a bundle still loads at run time. */
function runtimeImports(code: string): Set<string> {
  const found = new Set<string>();
  for (const match of code.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\d*\s*\(\s*)["']([@\w][\w@/:.-]*)["']/g)) found.add(match[1] ?? '');
  return found;
}

const allowedExternal = (name: string): boolean => name === 'electron' || name === 'drivelist' || name.startsWith('node:') || builtinModules.includes(name);

describe('scripts/build-electron.ts', () => {
  it('produces main, a single-file CommonJS preload, the writer and its workers', () => {
    expect(produced).toEqual(expect.arrayContaining(['main.js', 'preload.cjs', 'writer-main.mjs', 'decode-worker.mjs', 'write-worker.mjs']));
  });

  it('keeps the preload to one file that needs nothing but electron', async () => {
    const code = await readFile(path.join(outDir, 'preload.cjs'), 'utf8');
    expect([...runtimeImports(code)]).toEqual(['electron']);
    expect(code).toContain('exposeInMainWorld');
  });

  it('leaves only electron, drivelist and Node built-ins external, and no .ts worker URLs', async () => {
    for (const name of produced) {
      const code = await readFile(path.join(outDir, name), 'utf8');
      expect([...runtimeImports(code)].filter((specifier) => !allowedExternal(specifier)), name).toEqual([]);
      expect(code, name).not.toMatch(/\.ts["'],\s*import\.meta\.url/);
      expect(code, name).not.toMatch(/require\d*\.resolve\(["']tar-stream/);
      await execFileAsync(process.execPath, ['--check', path.join(outDir, name)]);
    }
  });
});
