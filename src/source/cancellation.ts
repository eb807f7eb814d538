import { CosiflashError } from '../errors.ts';

/**
 * The error a source throws when its signal aborts: the caller's own reason when it is already
 * a CosiflashError (front ends abort with E_CANCELLED), otherwise a fresh E_CANCELLED.
 */
export function cancelledError(signal: AbortSignal, location: string): CosiflashError {
  const reason: unknown = signal.reason;
  if (reason instanceof CosiflashError) return reason;
  return new CosiflashError('E_CANCELLED', `Reading ${location} was cancelled.`, { cause: reason });
}

/** Throws {@link cancelledError} when the signal has aborted. */
export function throwIfCancelled(signal: AbortSignal | undefined, location: string): void {
  if (signal?.aborted) throw cancelledError(signal, location);
}

/** One signal that aborts when any of the given ones does (undefined when none is given). */
export function combineSignals(...signals: (AbortSignal | undefined)[]): AbortSignal | undefined {
  const present = signals.filter((signal): signal is AbortSignal => signal !== undefined);
  if (present.length <= 1) return present[0];
  return AbortSignal.any(present);
}
