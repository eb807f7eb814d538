/**
 * The image source of a one-shot command (inspect, verify, disks --for): Ctrl-C aborts its
 * reads with E_CANCELLED instead of killing the process mid-request, and the source is
 * always closed and the handler removed, whatever `body` does.
 */
import { CosiflashError } from '../errors.ts';
import type { ImageSource } from '../source/image-source.ts';
import { openSource } from '../source/open-source.ts';
import { retryNotice } from './retry-for-option.ts';

/** Opens `location` with a SIGINT-abortable signal, runs `body(source, signal)`, then cleans up. */
export async function withCliSource<T>(location: string, body: (source: ImageSource, signal: AbortSignal) => Promise<T>, options: { retryForSeconds?: number | undefined; plainHttp?: boolean } = {}): Promise<T> {
  const controller = new AbortController();
  const onSigint = (): void => controller.abort(new CosiflashError('E_CANCELLED', 'interrupted'));
  process.once('SIGINT', onSigint);
  try {
    const source = await openSource(location, {
      signal: controller.signal,
      ...(options.retryForSeconds === undefined ? {} : { retryForMs: options.retryForSeconds * 1000 }),
      ...(options.plainHttp === true ? { plainHttp: true } : {}),
      onRetry: (event) => void process.stderr.write(`${retryNotice(event)}\n`),
    });
    try {
      return await body(source, controller.signal);
    } finally {
      await source.close();
    }
  } finally {
    process.off('SIGINT', onSigint);
  }
}
