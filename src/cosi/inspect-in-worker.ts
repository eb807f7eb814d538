/**
 * Inspection off the caller's event loop: the image is opened and inspected in a
 * worker_threads Worker with a time limit and a V8 heap limit.
 *
 * Why: the image is untrusted input, and inspection is the one place where it is parsed
 * before any user decision. A header that once made the tar reader loop at 100 % CPU froze the
 * whole `serve` process (no UI, no events) and a running flash's writer cancelled itself for
 * lack of heartbeats. Whatever an image does to the parser now, the server's and Electron
 * main's loops keep running, and the worker is terminated at the limit with E_INSPECT_LIMIT.
 * The tar and metadata readers are bounded on their own (tar-index.ts, parse-metadata-json.ts);
 * this is the second line of defence for the bugs nobody has found yet.
 */
import { Worker } from 'node:worker_threads';
import { CosiflashError, fromAppError } from '../errors.ts';
import type { AppError } from '../model/app-error.ts';
import type { Layout } from '../model/layout.ts';
import type { ImageSource } from '../source/image-source.ts';
import type { OpenSourceOptions } from '../source/open-source.ts';

/** Inspection normally takes well under a second locally and a few round trips over HTTP; allow for slow links and retries. */
export const INSPECT_TIME_LIMIT_MS = 120_000;
/** V8 heap of the worker: a valid inspect needs a few MiB (metadata ≤ 1 MiB, primary GPT ≤ 16 MiB). */
export const INSPECT_HEAP_LIMIT_MB = 256;

/** Where the image came from, as the front ends show it. */
export interface InspectedSource {
  readonly location: string;
  readonly kind: ImageSource['kind'];
  readonly sizeBytes: number;
  readonly localPath: string | null;
}

export interface InspectedImage {
  readonly layout: Layout;
  readonly source: InspectedSource;
}

/** Options that can cross into the worker (plain data: no signal, no callbacks). */
export type WorkerSourceOptions = Omit<OpenSourceOptions, 'signal' | 'onRetry'>;

export interface InspectInWorkerOptions {
  readonly expectedHash?: string;
  readonly signal?: AbortSignal;
  readonly timeLimitMs?: number;
  readonly heapLimitMb?: number;
  readonly sourceOptions?: WorkerSourceOptions;
}

/** workerData of inspect-worker.ts. */
export interface InspectWorkerRequest {
  readonly location: string;
  readonly expectedHash: string | undefined;
  readonly sourceOptions: WorkerSourceOptions;
}

/** The one message inspect-worker.ts posts. */
export type InspectWorkerReply = { readonly ok: true; readonly value: InspectedImage } | { readonly ok: false; readonly error: AppError };

/**
 * Opens and inspects `location` in a fresh worker. Resolves with the layout and where the
 * image came from; rejects with the inspection's own error, E_INSPECT_LIMIT when the time or
 * memory limit is hit, or E_CANCELLED when `signal` aborts.
 */
export function inspectInWorker(location: string, options: InspectInWorkerOptions = {}): Promise<InspectedImage> {
  const timeLimitMs = options.timeLimitMs ?? INSPECT_TIME_LIMIT_MS;
  const heapLimitMb = options.heapLimitMb ?? INSPECT_HEAP_LIMIT_MB;
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(new CosiflashError('E_CANCELLED', 'The inspection was cancelled.'));
  const workerData: InspectWorkerRequest = { location, expectedHash: options.expectedHash, sourceOptions: options.sourceOptions ?? {} };
  const worker = new Worker(new URL('./inspect-worker.ts', import.meta.url), {
    workerData,
    resourceLimits: { maxOldGenerationSizeMb: heapLimitMb, maxYoungGenerationSizeMb: Math.min(32, Math.max(4, Math.floor(heapLimitMb / 8))) },
    stdout: false,
    stderr: false,
  });
  return new Promise<InspectedImage>((resolve, reject) => {
    let settled = false;
    const finish = (outcome: { value: InspectedImage } | { error: CosiflashError }, answered = false): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      // A worker that answered ends by itself (its idle HTTP connections close within seconds)
      // and must not hold the process open; one that did not answer is stopped. Terminating a
      // worker that is finishing on its own is what once crashed the parent (inspect-worker.ts).
      if (answered) worker.unref();
      else void worker.terminate();
      if ('value' in outcome) resolve(outcome.value);
      else reject(outcome.error);
    };
    const timer = setTimeout(() => {
      finish({ error: new CosiflashError('E_INSPECT_LIMIT', `Inspecting ${location} did not finish within ${Math.round(timeLimitMs / 1000)} s; it was stopped.`) });
    }, timeLimitMs);
    const onAbort = (): void => finish({ error: new CosiflashError('E_CANCELLED', 'The inspection was cancelled.') });
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.once('message', (reply: InspectWorkerReply) => {
      finish(reply.ok ? { value: reply.value } : { error: fromAppError(reply.error) }, true);
    });
    worker.once('error', (error: Error & { code?: string }) => {
      if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') {
        finish({ error: new CosiflashError('E_INSPECT_LIMIT', `Inspecting ${location} needed more than ${heapLimitMb} MiB of memory; it was stopped.`, { cause: error }) });
      } else {
        finish({ error: new CosiflashError('E_INTERNAL', `The inspection worker failed: ${error.message}`, { cause: error }) });
      }
    });
    worker.once('exit', (code) => {
      finish({ error: new CosiflashError('E_INTERNAL', `The inspection worker exited (code ${code}) without an answer.`) });
    });
  });
}
