import { CosiflashError } from '../errors.ts';
import { combineSignals, throwIfCancelled } from './cancellation.ts';
import { redactUrl, RetryableFailure } from './http-errors.ts';
import { probeHttp } from './http-probe.ts';
import { openRange } from './http-range.ts';
import { RetryState, type RetrySettings } from './http-retry.ts';
import { MinRateWatch } from './min-rate-watch.ts';
import { createHttpDispatcher, destroyBody, type HttpContext, type RequestAuthorizer } from './http-transport.ts';
import type { ImageSource, ReadOptions, RetryEvent } from './image-source.ts';
import type { Validator } from './http-validator.ts';

/**
 * An attempt that delivered this much restores the full retry budget: a flaky link that keeps
 * moving finishes, while a server that sends a few bytes and then stalls every time gives up.
 */
const PROGRESS_RESET_BYTES = 64 * 1024;

export interface HttpSourceSettings extends RetrySettings {
  connectTimeoutMs: number;
  signal: AbortSignal | undefined;
  onRetry: ((event: RetryEvent) => void) | undefined;
}

/** How another source kind (OCI blobs) reuses this one: its own name, credentials, expected size. */
export interface HttpSourceExtras {
  /** The location reported (default: the URL). */
  readonly location?: string;
  /** The URL for messages (default: the URL without credentials and query). */
  readonly redacted?: string;
  readonly authorizer?: RequestAuthorizer;
}

/**
 * Opens an http(s) URL as an {@link ImageSource}: probes size, range support and the validator
 * once, then serves every read with pinned ranged GETs that resume from the exact next byte.
 */
export async function openHttpSource(url: string, settings: HttpSourceSettings, extras: HttpSourceExtras = {}): Promise<ImageSource> {
  const { agent, dispatcher } = createHttpDispatcher(settings);
  const context: HttpContext = {
    url,
    redacted: extras.redacted ?? redactUrl(url),
    location: extras.location ?? url,
    ...(extras.authorizer === undefined ? {} : { authorizer: extras.authorizer }),
    dispatcher,
    settings,
    transferredBytes: 0,
    sizeBytes: 0,
    validator: null,
    onRetry: settings.onRetry,
  };
  try {
    throwIfCancelled(settings.signal, url);
    const probe = await probeHttp(context, settings.signal);
    context.sizeBytes = probe.sizeBytes;
    context.validator = probe.validator;
  } catch (error) {
    await agent.destroy().catch(() => undefined);
    throw error;
  }
  return new HttpSource(context, { close: () => agent.destroy(), signal: settings.signal });
}

class HttpSource implements ImageSource {
  readonly kind = 'http';
  readonly localPath = null;
  readonly #context: HttpContext;
  readonly #close: () => Promise<void>;
  readonly #signal: AbortSignal | undefined;

  constructor(context: HttpContext, options: { close: () => Promise<void>; signal: AbortSignal | undefined }) {
    this.#context = context;
    this.#close = options.close;
    this.#signal = options.signal;
  }

  get location(): string {
    return this.#context.location;
  }

  get sizeBytes(): number {
    return this.#context.sizeBytes;
  }

  get transferredBytes(): number {
    return this.#context.transferredBytes;
  }

  get validator(): Validator | null {
    return this.#context.validator;
  }

  async read(offsetBytes: number, lengthBytes: number, options: ReadOptions = {}): Promise<Buffer> {
    const buffer = Buffer.allocUnsafe(lengthBytes);
    let filled = 0;
    for await (const chunk of this.stream(offsetBytes, lengthBytes, options)) {
      chunk.copy(buffer, filled);
      filled += chunk.length;
    }
    return buffer;
  }

  async *stream(offsetBytes: number, lengthBytes: number, options: ReadOptions = {}): AsyncIterable<Buffer> {
    const context = this.#context;
    const signal = combineSignals(this.#signal, options.signal);
    this.#checkRange(offsetBytes, lengthBytes);
    const end = offsetBytes + lengthBytes;
    let next = offsetBytes;
    const retry = new RetryState(context.settings, { url: context.redacted, location: context.location, opened: true, ...(options.retryForMs === undefined ? {} : { retryForMs: options.retryForMs }) });
    while (next < end) {
      throwIfCancelled(signal, context.location);
      let body: Awaited<ReturnType<typeof openRange>> | null = null;
      let attemptBytes = 0;
      const rate = new MinRateWatch({ minBytesPerSecond: context.settings.minRateBytesPerSecond, windowMs: context.settings.minRateWindowMs, url: context.redacted });
      try {
        body = await openRange(context, next, end - 1, signal);
        const chunks = (body as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
        for (;;) {
          rate.waiting();
          const step = await chunks.next();
          if (step.done === true) break;
          const received = step.value;
          rate.arrived(received.length);
          context.transferredBytes += received.length;
          const chunk = received.length > end - next ? received.subarray(0, end - next) : received;
          if (chunk.length === 0) continue;
          next += chunk.length;
          attemptBytes += chunk.length;
          if (attemptBytes >= PROGRESS_RESET_BYTES) retry.progress();
          yield chunk;
        }
        if (next < end) throw new RetryableFailure('dropped', `the answer from ${context.redacted} ended early, at byte ${next} of ${end}`);
      } catch (error) {
        await retry.afterFailure(error, { offsetBytes: next, signal, onRetry: options.onRetry ?? context.onRetry });
      } finally {
        if (body !== null) destroyBody(body);
      }
    }
  }

  async close(): Promise<void> {
    await this.#close();
  }

  #checkRange(offsetBytes: number, lengthBytes: number): void {
    if (!Number.isSafeInteger(offsetBytes) || !Number.isSafeInteger(lengthBytes) || offsetBytes < 0 || lengthBytes < 0) {
      throw new CosiflashError('E_INTERNAL', `Invalid byte range: offset ${offsetBytes}, length ${lengthBytes}.`);
    }
    if (offsetBytes + lengthBytes > this.sizeBytes) {
      throw new CosiflashError(
        'E_HTTP_RANGE',
        `Bytes ${offsetBytes}-${offsetBytes + lengthBytes - 1} were needed but the file at ${this.#context.redacted} has only ${this.sizeBytes} bytes: it is truncated.`,
        { hint: 'The file on the server is incomplete or not the image you expect. Check the URL, or publish the complete file.' },
      );
    }
  }
}
