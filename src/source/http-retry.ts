import { CosiflashError } from '../errors.ts';
import { sleep } from '../util/abort.ts';
import { backoffDelayMs } from './backoff.ts';
import { cancelledError } from './cancellation.ts';
import { exhaustedError, transportFailure } from './http-errors.ts';
import type { RetryEvent } from './image-source.ts';

export interface RetrySettings {
  maxRetries: number;
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  idleTimeoutMs: number;
}

/** Refused connections are retried only this often: a server that is down rarely comes back in seconds. */
const MAX_REFUSED_RETRIES = 2;

/**
 * The retry budget of one read: counts consecutive failures (reset by {@link progress}),
 * throws final errors at once, and waits with backoff and full jitter before each retry.
 */
export class RetryState {
  #failures = 0;
  readonly #settings: RetrySettings;
  readonly #url: string;
  readonly #location: string;

  constructor(settings: RetrySettings, context: { url: string; location: string }) {
    this.#settings = settings;
    this.#url = context.url;
    this.#location = context.location;
  }

  /** Bytes arrived: the next failure starts a fresh budget. */
  progress(): void {
    this.#failures = 0;
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
    this.#failures += 1;
    const budget = failure.kind === 'refused' ? Math.min(MAX_REFUSED_RETRIES, this.#settings.maxRetries) : this.#settings.maxRetries;
    if (this.#failures > budget) throw exhaustedError(failure, { url: this.#url, attempts: this.#failures, offsetBytes: context.offsetBytes });
    const delayMs = backoffDelayMs(this.#failures, { baseDelayMs: this.#settings.retryBaseDelayMs, maxDelayMs: this.#settings.retryMaxDelayMs });
    context.onRetry?.({ attempt: this.#failures, offsetBytes: context.offsetBytes, delayMs, reason: failure.message });
    try {
      await sleep(delayMs, signal);
    } catch {
      throw cancelledError(signal as AbortSignal, this.#location);
    }
  }
}
