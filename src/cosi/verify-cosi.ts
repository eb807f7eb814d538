import { createHash } from 'node:crypto';
import type { ZstdDecompress } from 'node:zlib';
import { CosiflashError } from '../errors.ts';
import type { AppError } from '../model/app-error.ts';
import type { ImageFileInfo } from '../model/layout.ts';
import type { ImageSource } from '../source/image-source.ts';
import { decodeError } from './decode-region-bytes.ts';
import type { CosiImage } from './inspect-cosi.ts';
import { createBoundedDecoder } from './bounded-decode.ts';
import { createZstdFrameChecker } from './zstd-frame-checker.ts';

/** Raw progress numbers of a verify run (formatting is the front end's job), at most ≈4 per second. */
export interface VerifyProgress {
  readonly regionIndex: number;
  readonly regionCount: number;
  /** GPT slot, 0 for the primary GPT. */
  readonly number: number;
  readonly name: string;
  /** Compressed bytes read so far, all regions. */
  readonly readBytes: number;
  /** Compressed bytes of all regions. */
  readonly totalBytes: number;
  /** Decoded bytes so far, all regions. */
  readonly decodedBytes: number;
  readonly elapsedMs: number;
}

export type RegionVerdictCode = 'ok' | 'E_IMAGE_HASH' | 'E_IMAGE_SIZE' | 'E_DECODE';

export interface VerifyRegionResult {
  readonly number: number;
  readonly name: string;
  readonly path: string;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  /** Bytes the decoder produced (stops counting once past uncompressedSize). */
  readonly decodedBytes: number;
  /** SHA-384 of the compressed bytes actually read. */
  readonly sha384: string;
  readonly verdict: RegionVerdictCode;
  readonly error: AppError | null;
}

export interface VerifyReport {
  readonly ok: boolean;
  readonly imageHash: string;
  readonly regions: readonly VerifyRegionResult[];
  readonly readBytes: number;
  readonly decodedBytes: number;
  readonly elapsedMs: number;
}

export interface VerifyOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: VerifyProgress) => void;
  /** Minimum time between progress callbacks (default 250 ms, i.e. ≤ 4 Hz). */
  readonly progressIntervalMs?: number;
}

/**
 * Reads every region of an inspected COSI once, front to back, and checks what a flash
 * would: the SHA-384 of the compressed bytes (COSI spec, ImageFile.sha384), that the zstd
 * data decodes with nothing but zstd frames in it (trailing garbage fails, as with `zstd -t`),
 * and that it decodes to exactly `uncompressedSize`. Writes nothing. A
 * damaged region gets its verdict and the run goes on, so one pass names every bad region.
 */
export async function verifyCosi(source: ImageSource, image: CosiImage, options: VerifyOptions = {}): Promise<VerifyReport> {
  const started = Date.now();
  const { layout } = image;
  const regions: { number: number; name: string; file: ImageFileInfo }[] = [
    { number: 0, name: 'primary-gpt', file: layout.primaryGpt },
    ...layout.partitions.map((p) => ({ number: p.number, name: p.name || `partition ${p.number}`, file: p.image })),
  ];
  const totalBytes = regions.reduce((sum, r) => sum + r.file.compressedSize, 0);
  const interval = options.progressIntervalMs ?? 250;
  let readBytes = 0;
  let decodedBytes = 0;
  let lastProgress = 0;
  const results: VerifyRegionResult[] = [];
  for (const [regionIndex, region] of regions.entries()) {
    const report = (force: boolean): void => {
      const now = Date.now();
      if (!options.onProgress || (!force && now - lastProgress < interval)) return;
      lastProgress = now;
      options.onProgress({ regionIndex, regionCount: regions.length, number: region.number, name: region.name, readBytes, totalBytes, decodedBytes, elapsedMs: now - started });
    };
    const result = await verifyRegion(source, region, {
      maxWindowLog: layout.compression.maxWindowLog,
      signal: options.signal,
      onBytes: (read, decoded) => {
        readBytes += read;
        decodedBytes += decoded;
        report(false);
      },
    });
    results.push(result);
  }
  options.onProgress?.({ regionIndex: regions.length - 1, regionCount: regions.length, number: regions.at(-1)?.number ?? 0, name: regions.at(-1)?.name ?? '', readBytes, totalBytes, decodedBytes, elapsedMs: Date.now() - started });
  return { ok: results.every((r) => r.verdict === 'ok'), imageHash: layout.imageHash, regions: results, readBytes, decodedBytes, elapsedMs: Date.now() - started };
}

async function verifyRegion(
  source: ImageSource,
  region: { number: number; name: string; file: ImageFileInfo },
  context: { maxWindowLog: number; signal: AbortSignal | undefined; onBytes: (read: number, decoded: number) => void },
): Promise<VerifyRegionResult> {
  const { file } = region;
  const hash = createHash('sha384');
  let decodeFailure: CosiflashError | null = null;
  let oversize = false;
  const { decoder, limit } = createBoundedDecoder({ maxWindowLog: context.maxWindowLog, expectedBytes: file.uncompressedSize, label: `${file.path} (${region.name})` });
  const frames = createZstdFrameChecker();
  const alive = (): boolean => decodeFailure === null && !oversize;
  decoder.on('data', (chunk: Buffer) => {
    context.onBytes(0, chunk.length);
    if (limit.add(chunk.length) !== null) {
      oversize = true;
      decoder.destroy();
    }
  });
  decoder.on('error', (error) => {
    decodeFailure ??= decodeError(error, { path: file.path, maxWindowLog: context.maxWindowLog });
  });
  const finished = new Promise<void>((resolve) => {
    decoder.once('end', resolve);
    decoder.once('close', resolve);
  });
  for await (const chunk of source.stream(file.tarOffsetBytes, file.compressedSize, { signal: context.signal })) {
    context.signal?.throwIfAborted();
    hash.update(chunk);
    frames.update(chunk);
    context.onBytes(chunk.length, 0);
    if (alive() && !decoder.write(chunk)) await drained(decoder);
  }
  if (alive()) decoder.end();
  else decoder.destroy();
  await finished;
  const sha384 = hash.digest('hex');
  let error: CosiflashError | null;
  const framing = frames.finish();
  if (sha384 !== file.sha384) {
    error = new CosiflashError('E_IMAGE_HASH', `${file.path} (${region.name}): SHA-384 of the compressed bytes is ${sha384}, metadata.json says ${file.sha384}`);
  } else if (decodeFailure !== null) {
    error = decodeFailure;
  } else if (framing !== null) {
    error = new CosiflashError('E_DECODE', `${file.path} (${region.name}): ${framing}`);
  } else {
    error = limit.finish();
  }
  return {
    number: region.number,
    name: region.name,
    path: file.path,
    compressedSize: file.compressedSize,
    uncompressedSize: file.uncompressedSize,
    decodedBytes: Math.min(limit.decodedBytes, file.uncompressedSize + 1),
    sha384,
    verdict: error === null ? 'ok' : (error.code as RegionVerdictCode),
    error: error === null ? null : error.toAppError(),
  };
}

/** Resolves when the decoder wants more input, or when it closed (after an error). */
function drained(decoder: ZstdDecompress): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = (): void => {
      decoder.off('drain', done);
      decoder.off('close', done);
      resolve();
    };
    decoder.on('drain', done);
    decoder.on('close', done);
  });
}
