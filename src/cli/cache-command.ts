/**
 * `cosiflash cache list | remove <image> | clear | fetch <url>`: the verified image cache
 * (src/cache/). `fetch` pre-loads an image without a disk, resuming what an earlier fetch or
 * flash left behind, and checks every region's SHA-384 on the way.
 */
import { createHash } from 'node:crypto';
import { openCachedSource } from '../cache/cached-source.ts';
import { CacheStore, type CacheEntryInfo } from '../cache/cache-store.ts';
import { invokingUser } from '../util/invoking-user.ts';
import { parseSizeBytes } from '../cache/parse-size.ts';
import { terminalText } from '../common/terminal-text.ts';
import { parseExpectedHash } from '../cosi/image-hash.ts';
import { inspectCosi } from '../cosi/inspect-cosi.ts';
import { CosiflashError } from '../errors.ts';
import { openSource } from '../source/open-source.ts';
import { formatBytes, formatRate } from '../common/format-units.ts';
import { cliCacheDir, CACHE_MAX_HELP, CACHE_MAX_OPTION } from './cache-option.ts';
import { EXIT_CODES } from './exit-codes.ts';
import { parseCommandArgs } from './parse-command-args.ts';
import { parseRetryForSeconds, retryNotice, RETRY_FOR_HELP, RETRY_FOR_OPTION } from './retry-for-option.ts';

export const CACHE_HELP = `Usage: cosiflash cache <list|remove|clear|fetch> [options]

The verified image cache ($XDG_CACHE_HOME/cosiflash, else ~/.cache/cosiflash): images
streamed by \`flash --cache\` (and by the app and \`serve\`, where it is on by default) are kept
there, keyed by URL, ETag/Last-Modified, size and image hash. Nothing in it is trusted
without its hash: every piece is re-hashed when read, every region SHA-384-checked.

Commands:
  list               Show the cached images (size, how much is present and verified)
  remove <image>     Remove an image: its URL, its image hash (sha384:<hex>) or its id
  clear              Remove every image not in use right now
  fetch <url>        Download an image into the cache without a disk (resumes a partial
                     download; checks each region's SHA-384)

Options:
  --json             Machine-readable output (fetch: NDJSON progress, then the entry)
  --hash HASH        fetch: refuse unless the image hash is HASH
${CACHE_MAX_HELP}
${RETRY_FOR_HELP}
  -h, --help         Show this help

Exit status: 0 done, 2 bad usage, 3 the image is invalid or not cached (remove),
6 cancelled.`;

export async function runCache(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('cache', {
    args: [...args],
    options: { json: { type: 'boolean' }, hash: { type: 'string' }, ...CACHE_MAX_OPTION, ...RETRY_FOR_OPTION, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
    strict: true,
  });
  const [action, ...rest] = positionals;
  if (values.help === true || action === undefined) {
    process.stdout.write(`${CACHE_HELP}\n`);
    return values.help === true ? EXIT_CODES.ok : EXIT_CODES.usage;
  }
  const json = values.json ?? false;
  const maxBytes = values['cache-max'] === undefined ? null : parseSizeBytes(values['cache-max'], 'cache: --cache-max');
  const store = new CacheStore({ dir: cliCacheDir(), maxBytes, owner: invokingUser() });
  const wantArgs = (count: number, usage: string): void => {
    if (rest.length !== count) throw new CosiflashError('E_INPUT', `cache ${action}: usage: cosiflash cache ${usage}`);
  };
  switch (action) {
    case 'list': {
      wantArgs(0, 'list [--json]');
      const entries = store.list();
      if (json) process.stdout.write(`${JSON.stringify({ dir: store.dir, maxBytes: store.maxBytes(), entries }, null, 2)}\n`);
      else process.stdout.write(`${formatList(store, entries)}\n`);
      return EXIT_CODES.ok;
    }
    case 'remove': {
      wantArgs(1, 'remove <url|sha384:hash|id>');
      const removed = store.remove(rest[0] as string);
      if (json) process.stdout.write(`${JSON.stringify({ removed }, null, 2)}\n`);
      else for (const entry of removed) process.stdout.write(`Removed ${terminalText(entry.location)} (${formatBytes(entry.cachedBytes)})\n`);
      return EXIT_CODES.ok;
    }
    case 'clear': {
      wantArgs(0, 'clear');
      const removed = store.clear();
      if (json) process.stdout.write(`${JSON.stringify({ removed }, null, 2)}\n`);
      else process.stdout.write(`Removed ${removed.length} cached image${removed.length === 1 ? '' : 's'} (${formatBytes(removed.reduce((n, e) => n + e.cachedBytes, 0))}).\n`);
      return EXIT_CODES.ok;
    }
    case 'fetch': {
      wantArgs(1, 'fetch <url> [--hash HASH] [--json]');
      const expectedHash = values.hash === undefined ? undefined : parseExpectedHash(values.hash);
      return fetchImage(store, rest[0] as string, { json, maxBytes, expectedHash, retryForSeconds: parseRetryForSeconds('cache fetch', values['retry-for']) });
    }
    default:
      throw new CosiflashError('E_INPUT', `cache: unknown action "${action}" (list, remove, clear or fetch)`);
  }
}

function formatList(store: CacheStore, entries: readonly CacheEntryInfo[]): string {
  const total = entries.reduce((n, e) => n + e.cachedBytes, 0);
  const head = `Image cache ${store.dir}: ${entries.length} image${entries.length === 1 ? '' : 's'}, ${formatBytes(total)} of ${formatBytes(store.maxBytes())}`;
  const lines = entries.map((e) => {
    const state = e.complete ? (e.verifiedBytes > 0 ? 'complete' : 'complete, not yet verified') : `partial ${((e.cachedBytes / Math.max(1, e.sizeBytes)) * 100).toFixed(0)} %`;
    return `  ${e.id.slice(0, 12)}  ${formatBytes(e.cachedBytes).padStart(9)}  ${state}${e.inUse ? ', in use' : ''}  ${terminalText(e.location)}${e.imageHash === null ? '' : `\n                ${e.imageHash}`}`;
  });
  return [head, ...lines].join('\n');
}

async function fetchImage(store: CacheStore, location: string, options: { json: boolean; maxBytes: number | null; expectedHash: string | undefined; retryForSeconds: number | undefined }): Promise<number> {
  if (!/^https?:\/\//i.test(location.trim())) throw new CosiflashError('E_INPUT', `cache fetch: "${location}" is not an http(s) URL; only downloads are cached.`);
  const controller = new AbortController();
  const onSigint = (): void => controller.abort(new CosiflashError('E_CANCELLED', 'interrupted'));
  process.once('SIGINT', onSigint);
  const out = (value: unknown): void => void process.stdout.write(`${JSON.stringify(value)}\n`);
  const warn = (message: string): void => (options.json ? out({ type: 'warning', message }) : void process.stderr.write(`warning: ${terminalText(message)}\n`));
  try {
    const network = await openSource(location, {
      signal: controller.signal,
      ...(options.retryForSeconds === undefined ? {} : { retryForMs: options.retryForSeconds * 1000 }),
      onRetry: (event) => void process.stderr.write(`${retryNotice(event)}\n`),
    });
    const source = openCachedSource(network, { dir: store.dir, maxBytes: options.maxBytes, owner: invokingUser(), onWarning: warn, waitForCache: true });
    try {
      const image = await inspectCosi(source, { ...(options.expectedHash === undefined ? {} : { expectedHash: options.expectedHash }), signal: controller.signal });
      source.noteChecked?.({ kind: 'image', imageHash: image.layout.imageHash });
      const regions = [image.layout.primaryGpt, ...[...image.layout.partitions].map((p) => p.image)].sort((a, b) => a.tarOffsetBytes - b.tarOffsetBytes);
      const totalBytes = regions.reduce((n, r) => n + r.compressedSize, 0);
      const startedAt = Date.now();
      let doneBytes = 0;
      let shownAt = 0;
      const show = (final: boolean): void => {
        const now = Date.now();
        if (!final && now - shownAt < 1000) return;
        shownAt = now;
        const progress = { type: 'progress', doneBytes, totalBytes, transferredBytes: source.transferredBytes, cachedBytes: source.cachedBytes ?? 0 };
        if (options.json) out(progress);
        else process.stderr.write(`  ${formatBytes(doneBytes)} of ${formatBytes(totalBytes)}: ${formatBytes(progress.cachedBytes)} from the cache, ${formatBytes(progress.transferredBytes)} downloaded, ${formatRate(((doneBytes / Math.max(1, now - startedAt)) * 1000))}\n`);
      };
      for (const region of regions) {
        const hash = createHash('sha384');
        for await (const chunk of source.stream(region.tarOffsetBytes, region.compressedSize, { signal: controller.signal })) {
          hash.update(chunk);
          doneBytes += chunk.length;
          show(false);
        }
        const ok = hash.digest('hex') === region.sha384.toLowerCase();
        source.noteChecked?.({ kind: 'region', offsetBytes: region.tarOffsetBytes, lengthBytes: region.compressedSize, ok });
        if (!ok) throw new CosiflashError('E_IMAGE_HASH', `${region.path}: its SHA-384 does not match metadata.json; the cache dropped it.`);
      }
      // The rest of the file (tar headers, padding, the end of the archive): small, and then the entry is complete.
      let next = 0;
      for (const region of [...regions, { tarOffsetBytes: source.sizeBytes, compressedSize: 0 }]) {
        if (region.tarOffsetBytes > next) await drain(source.stream(next, region.tarOffsetBytes - next, { signal: controller.signal }));
        next = Math.max(next, region.tarOffsetBytes + region.compressedSize);
      }
      show(true);
    } finally {
      await source.close();
    }
    const entry = store.list().find((e) => e.location === location.trim() || e.location === new URL(location.trim()).href);
    if (options.json) out({ type: 'done', entry: entry ?? null });
    else if (entry !== undefined) process.stdout.write(`Cached ${terminalText(entry.location)}: ${formatBytes(entry.cachedBytes)}, ${entry.complete ? 'complete' : 'partial'}, ${entry.imageHash ?? ''}\n`);
    else process.stdout.write('The image was read but could not be cached (see the warnings above).\n');
    return EXIT_CODES.ok;
  } catch (error) {
    if (controller.signal.aborted) throw new CosiflashError('E_CANCELLED', 'cache fetch was interrupted; run it again to resume.', { cause: error });
    throw error;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

async function drain(chunks: AsyncIterable<Buffer>): Promise<void> {
  const iterator = chunks[Symbol.asyncIterator]();
  while (!(await iterator.next()).done) {
    // Read only so the bytes land in the cache.
  }
}
