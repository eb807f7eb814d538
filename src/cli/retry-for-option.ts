/**
 * `--retry-for SECONDS`, shared by flash, verify and inspect: how long a server that stopped
 * answering (restarted, network gone) is waited for once the image was opened. A separate
 * budget from the retry count for other failures, so a server restart does not fail a flash.
 */
import { CosiflashError } from '../errors.ts';
import type { RetryEvent } from '../source/image-source.ts';

export const RETRY_FOR_HELP = `  --retry-for SECONDS
                   Keep retrying a server that cannot be reached (refused, restarted,
                   network down) for this long once the image was opened (default 120)`;

/** The parseArgs declaration of the option. */
export const RETRY_FOR_OPTION = { 'retry-for': { type: 'string' } } as const;

/** Parses the option's value: whole or fractional seconds, 0 to 86400; E_INPUT otherwise. */
export function parseRetryForSeconds(command: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > 86_400) {
    throw new CosiflashError('E_INPUT', `${command}: --retry-for takes a number of seconds from 0 to 86400 (got "${value}")`);
  }
  return seconds;
}

/** A retry of a one-shot command, as one stderr line ("server unreachable, retrying (n s)"). */
export function retryNotice(event: RetryEvent): string {
  if (event.unreachableMs !== null) {
    return `network: server unreachable, retrying (${Math.floor(event.unreachableMs / 1000)} s of ${Math.round(event.retryForMs / 1000)} s; ${event.reason})`;
  }
  return `network: retry ${event.attempt} at byte ${event.offsetBytes} (${event.reason})`;
}
