import { performance } from 'node:perf_hooks';
import { RetryableFailure } from './http-errors.ts';

/**
 * Detects a server that keeps a download alive with a trickle (one byte every 25 s never trips
 * the idle timeout). Only time spent WAITING for the network counts, measured in tumbling
 * windows of `windowMs`: a consumer that is slow to pull (a busy disk) never makes the server
 * look slow. Checked as each chunk arrives; pure silence is the idle timeout's job.
 */
export class MinRateWatch {
  readonly #minBytesPerSecond: number;
  readonly #windowMs: number;
  readonly #url: string;
  #waitedMs = 0;
  #bytes = 0;
  #waitStartedAt: number | null = null;

  constructor(options: { minBytesPerSecond: number; windowMs: number; url: string }) {
    this.#minBytesPerSecond = options.minBytesPerSecond;
    this.#windowMs = options.windowMs;
    this.#url = options.url;
  }

  /** The reader starts waiting for the next chunk. */
  waiting(): void {
    this.#waitStartedAt = performance.now();
  }

  /** A chunk of `lengthBytes` arrived; throws a retryable failure when the window was too slow. */
  arrived(lengthBytes: number): void {
    if (this.#waitStartedAt !== null) this.#waitedMs += performance.now() - this.#waitStartedAt;
    this.#waitStartedAt = null;
    this.#bytes += lengthBytes;
    if (this.#minBytesPerSecond <= 0 || this.#waitedMs < this.#windowMs) return;
    const needed = (this.#minBytesPerSecond * this.#waitedMs) / 1000;
    if (this.#bytes < needed) {
      const seconds = Math.round(this.#waitedMs / 100) / 10;
      throw new RetryableFailure('timeout', `${this.#url} sent only ${this.#bytes} bytes in ${seconds} s (less than ${this.#minBytesPerSecond} bytes/s)`);
    }
    this.#waitedMs = 0;
    this.#bytes = 0;
  }
}
