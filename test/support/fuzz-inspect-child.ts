/**
 * Child process of the inspect fuzz test: inspects mutants [from, to) of a base COSI, the way
 * `cosiflash inspect` does (openSource + inspectCosi on a real file), and prints one JSON line
 * per mutant: its outcome (ok or the error code), whether it was an internal error, the time it
 * took and this process's peak RSS so far (VmHWM). The parent kills it when a mutant hangs.
 *
 *   node test/support/fuzz-inspect-child.ts BASE.cosi SEED FROM TO DIR
 */
import { readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { inspectCosi } from '../../src/cosi/inspect-cosi.ts';
import { CosiflashError } from '../../src/errors.ts';
import { openSource } from '../../src/source/open-source.ts';
import { cosiMutant } from './cosi-mutants.ts';

const [basePath, seedText, fromText, toText, dir] = process.argv.slice(2);
const base = readFileSync(basePath ?? '');
const seed = Number(seedText);

function peakRssKiB(): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return Number(match?.[1] ?? NaN);
}

for (let index = Number(fromText); index < Number(toText); index += 1) {
  const mutant = cosiMutant(base, seed, index);
  const file = path.join(dir ?? '', `mutant-${index}.cosi`);
  await writeFile(file, mutant.bytes);
  process.stdout.write(`${JSON.stringify({ type: 'start', index, description: mutant.description })}\n`);
  const startedAt = performance.now();
  let code = 'ok';
  let internal = false;
  let message = '';
  try {
    const source = await openSource(file);
    try {
      await inspectCosi(source);
    } finally {
      await source.close();
    }
  } catch (error) {
    code = error instanceof CosiflashError ? error.code : 'not a CosiflashError';
    internal = !(error instanceof CosiflashError) || error.code === 'E_INTERNAL';
    message = error instanceof Error ? error.message.slice(0, 300) : String(error);
  }
  await rm(file, { force: true });
  process.stdout.write(`${JSON.stringify({ type: 'done', index, description: mutant.description, code, internal, message, ms: Math.round(performance.now() - startedAt), peakRssKiB: peakRssKiB() })}\n`);
}
