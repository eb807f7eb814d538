import { MAX_TARGETS } from '../disk/choose-targets.ts';
import { CosiflashError } from '../errors.ts';

/** `--count N`: how many disks one flash writes (a whole number from 1 to MAX_TARGETS); E_INPUT otherwise. */
export function parseDiskCount(command: string, text: string): number {
  const count = /^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!Number.isSafeInteger(count) || count < 1 || count > MAX_TARGETS) throw new CosiflashError('E_INPUT', `${command}: --count needs a whole number of disks from 1 to ${MAX_TARGETS} (got "${text}").`);
  return count;
}
