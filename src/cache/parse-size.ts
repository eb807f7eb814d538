import { CosiflashError } from '../errors.ts';

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kib: 1024, m: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gib: 1024 ** 3, t: 1024 ** 4, tib: 1024 ** 4, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12 };

/** "20G", "512MiB", "1.5GB", "1048576" → bytes (K/M/G/T and KiB… are powers of 1024, KB… of 1000). */
export function parseSizeBytes(text: string, what: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const factor = match === null ? undefined : UNITS[(match[2] ?? '').toLowerCase()];
  if (match === null || factor === undefined) throw new CosiflashError('E_INPUT', `${what}: "${text}" is not a size (examples: 20G, 512M, 1048576).`);
  const bytes = Math.floor(Number(match[1]) * factor);
  if (!Number.isSafeInteger(bytes)) throw new CosiflashError('E_INPUT', `${what}: "${text}" is too large.`);
  return bytes;
}
