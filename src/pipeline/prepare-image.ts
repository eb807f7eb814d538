/**
 * An image opened and inspected ahead of its flash (no disk is touched): the writer does it on
 * the parent's 'prepare' while the user still confirms, loading only these modules, not the
 * flash engine; flashDisk then takes the result instead of opening the image again.
 */
import type { CosiImage } from '../cosi/inspect-cosi.ts';
import { inspectCosi } from '../cosi/inspect-cosi.ts';
import type { ImageSource } from '../source/image-source.ts';
import { openSource, type OpenSourceOptions } from '../source/open-source.ts';

/** An image opened and inspected before its flash was requested. */
export interface PreparedImage {
  readonly location: string;
  /** Opened through the image cache (a flash with the other setting opens the image again). */
  readonly cached?: boolean;
  readonly opened: Promise<{ readonly source: ImageSource; readonly image: CosiImage }>;
}

/** Opens and inspects `location` now (no disk is touched); hand the result to flashDisk. */
export function prepareImage(location: string, options: { signal: AbortSignal; sourceOptions?: Omit<OpenSourceOptions, 'signal'> }): PreparedImage {
  const opened = (async () => {
    const source = await openSource(location, { ...options.sourceOptions, signal: options.signal });
    try {
      return { source, image: await inspectCosi(source, { signal: options.signal }) };
    } catch (error) {
      await source.close().catch(() => undefined);
      throw error;
    }
  })();
  opened.catch(() => undefined);
  return { location, opened };
}
