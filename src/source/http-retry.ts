import { performance } from 'node:perf_hooks';
import { CosiflashError } from '../errors.ts';
import { sleep } from '../util/abort.ts';
import { backoffDelayMs } from './backoff.ts';
import { cancelledError } from './cancellation.ts';
import { exhaustedError, transportFailure, type RetryableFailure } from './http-errors.ts';
import type { RetryEvent } from './image-source.ts';

export interface RetrySettings {
  maxRetries: number;
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  idleTimeoutMs: number;
  /** How long an unreachable server (refused, unreachable, connect timeout) is retried once the file was opened. */
  retryForMs: number;
  /** An attempt slower than this over {@link minRateWindowMs} of waiting is dropped and retried. */
  minRateBytesPerSecond: number;
  minRateWindowMs: number;
}

/**
 * Refused connections while OPENING are retried only this often: a URL that never answered is
 * most likely wrong. Once the file was opened, the time budget ({@link RetrySettings.retryForMs})
 * applies instead, because a server that answered before is most likely being restarted.
 */
const MAX_REFUSED_RETRIES_WHILE_OPENING = 2;

/**
 * The retry budget of one read, two budgets in one: unreachable-server failures (refused,
 * unreachable, connect timeout) are retried for a TIME budget once the source was opened;
 * every other transient failure (drops, stalls, 5xx) counts against {@link RetrySettings.maxRetries}.
 * Both start again when bytes arrive ({@link progress}). Final errors are thrown at once;
 * before each retry it reports the retry and waits with backoff and full jitter.
 */
export class RetryState {
  #failures = 0;
  #unreachableAttempts = 0;
  /** performance.now() of the first unreachable failure of the current streak. */
  #unreachableSinceMs: number | null = null;
  readonly #settings: RetrySettings;
  readonly #url: string;
  readonly #location: string;
  readonly #opened: boolean;
  readonly #retryForMs: number;

  constructor(settings: RetrySettings, context: { url: string; location: string; opened: boolean; retryForMs?: number }) {
    this.#settings = settings;
    this.#url = context.url;
    this.#location = context.location;
    this.#opened = context.opened;
    this.#retryForMs = context.retryForMs ?? settings.retryForMs;
  }

  /** Bytes arrived: the next failure starts fresh budgets. */
  progress(): void {
    this.#failures = 0;
    this.#unreachableAttempts = 0;
    this.#unreachableSinceMs = null;
  }

  /**
   * Handles a failed attempt: rethrows cancellation and final errors, throws the specific
   * "gave up" error when the budget is spent, otherwise reports the retry and waits.
   */
  async afterFailure(
    error: unknown,
    context: { offsetBytes: number; signal: AbortSignal | undefined; onRetry: ((event: RetryEvent) => void) | undefined },
  ): Promise<void> {
    const { signal } = context;
    if (signal?.aborted) throw cancelledError(signal, this.#location);
    const failure = transportFailure(error, this.#url, { idleTimeoutMs: this.#settings.idleTimeoutMs });
    if (failure instanceof CosiflashError) throw failure;
    const delayMs = failure.kind === 'refused' && this.#opened ? this.#unreachableDelay(failure, context.offsetBytes) : this.#countedDelay(failure, context.offsetBytes);
    const unreachableMs = this.#unreachableSinceMs === null ? null : Math.round(performance.now() - this.#unreachableSinceMs);
    context.onRetry?.({
      attempt: failure.kind === 'refused' && this.#opened ? this.#unreachableAttempts : this.#failures,
      offsetBytes: context.offsetBytes,
      delayMs,
      reason: failure.message,
      kind: failure.kind,
      unreachableMs,
      retryForMs: this.#retryForMs,
    });
    try {
      await sleep(delayMs, signal);
    } catch {
      throw cancelledError(signal as AbortSignal, this.#location);
    }
  }

  #countedDelay(failure: RetryableFailure, offsetBytes: number): number {
    this.#failures += 1;
    const budget = failure.kind === 'refused' ? Math.min(MAX_REFUSED_RETRIES_WHILE_OPENING, this.#settings.maxRetries) : this.#settings.maxRetries;
    if (this.#failures > budget) throw exhaustedError(failure, { url: this.#url, attempts: this.#failures, offsetBytes });
    return backoffDelayMs(this.#failures, { baseDelayMs: this.#settings.retryBaseDelayMs, maxDelayMs: this.#settings.retryMaxDelayMs });
  }

  #unreachableDelay(failure: RetryableFailure, offsetBytes: number): number {
    const now = performance.now();
    this.#unreachableSinceMs ??= now;
    this.#unreachableAttempts += 1;
    const elapsedMs = now - this.#unreachableSinceMs;
    const leftMs = this.#retryForMs - elapsedMs;
    if (leftMs <= 0) {
      throw exhaustedError(failure, { url: this.#url, attempts: this.#unreachableAttempts, offsetBytes, unreachableMs: elapsedMs });
    }
    const delayMs = backoffDelayMs(this.#unreachableAttempts, { baseDelayMs: this.#settings.retryBaseDelayMs, maxDelayMs: this.#settings.retryMaxDelayMs });
    // The last attempt happens right at the end of the budget, not after it.
    return Math.min(delayMs, Math.ceil(leftMs));
  }
}
