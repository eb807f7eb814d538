/**
 * The typed confirmation of `cosiflash flash`: the user types back what will be erased.
 * One disk: its device path ("loop1" for /dev/loop1 is a slip and is asked again, anything
 * else is a no). Several disks: every device path, separated by spaces or commas, in any
 * order — or, when they were picked by `--count N`, the number N; a wrong answer is asked
 * again (at most three times), an empty one stops.
 */
import { createInterface } from 'node:readline/promises';
import { terminalText } from '../common/terminal-text.ts';

export interface ConfirmTargetsOptions {
  readonly input: NodeJS.ReadableStream;
  readonly output: NodeJS.WritableStream;
  /** Every device that will be erased, in the plan's order. */
  readonly devices: readonly string[];
  /** The disks were picked by `--count N`: the user types N. */
  readonly count?: number;
}

/** The number of times a wrong answer is asked again before it counts as a no. */
const RETRIES = 3;

/** Resolves true only when the user typed the expected answer; false on a no, Ctrl-C or end of input. */
export async function confirmTargets(options: ConfirmTargetsOptions): Promise<boolean> {
  const rl = createInterface({ input: options.input, output: options.output });
  const controller = new AbortController();
  rl.on('SIGINT', () => controller.abort());
  rl.on('close', () => controller.abort());
  const ask = async (question: string): Promise<string> => (await rl.question(terminalText(question), { signal: controller.signal })).trim();
  try {
    const [first] = options.devices;
    if (options.devices.length === 1 && first !== undefined) return await confirmOne(ask, first);
    return await confirmMany(ask, options.devices, options.count);
  } catch {
    return false;
  } finally {
    rl.close();
  }
}

async function confirmOne(ask: (question: string) => Promise<string>, device: string): Promise<boolean> {
  let answer = await ask(`\nType ${device} to erase it and write the image: `);
  // The short name of the right disk ("loop1" for /dev/loop1) is a slip, not a no: ask again.
  for (let tries = 0; tries < RETRIES && answer !== device && answer !== '' && isShortNameOf(answer, device); tries++) {
    answer = await ask(`Type the full path, ${device} (or press Enter to stop): `);
  }
  return answer === device;
}

async function confirmMany(ask: (question: string) => Promise<string>, devices: readonly string[], count: number | undefined): Promise<boolean> {
  const expected = count === undefined ? devices.join(' ') : String(count);
  const first =
    count === undefined
      ? `\nType every device to erase, separated by spaces (${expected}): `
      : `\nType ${count} to erase these ${count} disks (${devices.join(', ')}) and write the image: `;
  let answer = await ask(first);
  for (let tries = 0; tries < RETRIES && answer !== '' && !answerMatches(answer, devices, count); tries++) {
    answer = await ask(count === undefined ? `That is not the list of devices. Type ${expected} (or press Enter to stop): ` : `Type ${count} (or press Enter to stop): `);
  }
  return answerMatches(answer, devices, count);
}

/** The typed answer names exactly the devices (any order), or is the count. */
export function answerMatches(answer: string, devices: readonly string[], count?: number): boolean {
  if (count !== undefined) return answer.trim() === String(count);
  const typed = answer.split(/[\s,]+/).filter((word) => word !== '');
  return typed.length === devices.length && new Set(typed).size === typed.length && devices.every((device) => typed.includes(device));
}

/** "loop1", "dev/loop1" or "/dev/loop1/" for /dev/loop1. */
export function isShortNameOf(answer: string, device: string): boolean {
  const bare = (text: string): string => text.replace(/^\/+|\/+$/g, '').replace(/^dev\//, '');
  return bare(answer) === bare(device);
}
