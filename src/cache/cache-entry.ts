import { createHash } from 'node:crypto';
import { closeSync, fdatasync, read, writeSync, writev } from 'node:fs';
import { promisify } from 'node:util';
import { addMerged, firstEndingAfter, rangeEnd, rangesOverlap, totalLength, type ByteRange } from './byte-ranges.ts';
import { formatJournalLine, type JournalLine } from './cache-journal.ts';

const readAsync = promisify(read);
const writevAsync = promisify(writev);
const fdatasyncAsync = promisify(fdatasync);

/** Bytes of the data file covered by one journal record, with the SHA-256 they had when written. */
export interface CacheRecord extends ByteRange {
  readonly sha256: string;
}

/** Where a requested range's bytes come from: a cached record (read whole, then checked) or the network. */
export type CacheSegment = { readonly kind: 'cached'; readonly record: CacheRecord; readonly offsetBytes: number; readonly lengthBytes: number } | { readonly kind: 'missing'; readonly offsetBytes: number; readonly lengthBytes: number };

/**
 * One cached image, opened: the sparse data file (image bytes at their own offsets) and the
 * journal, replayed into memory. Nothing here is trusted: {@link readRecord} re-hashes a record
 * before returning its bytes and forgets it when the hash differs.
 */
export class CacheEntry {
  readonly id: string;
  readonly sizeBytes: number;
  /** False when another process is filling this entry: read what is there, write nothing. */
  readonly writable: boolean;
  #records: CacheRecord[] = [];
  #verified: ByteRange[] = [];
  #imageHash: string | null = null;
  readonly #dataFd: number;
  readonly #journalFd: number | null;
  readonly #onClose: () => void;
  #closed = false;

  constructor(options: { id: string; sizeBytes: number; dataFd: number; journalFd: number | null; lines: readonly JournalLine[]; onClose: () => void }) {
    this.id = options.id;
    this.sizeBytes = options.sizeBytes;
    this.#dataFd = options.dataFd;
    this.#journalFd = options.journalFd;
    this.writable = options.journalFd !== null;
    this.#onClose = options.onClose;
    for (const line of options.lines) this.#apply(line);
  }

  get cachedBytes(): number {
    return totalLength(this.#records);
  }

  get verifiedBytes(): number {
    return totalLength(this.#verified);
  }

  get imageHash(): string | null {
    return this.#imageHash;
  }

  /** Splits [offsetBytes, offsetBytes + lengthBytes) into cached and missing pieces, in order. */
  plan(offsetBytes: number, lengthBytes: number): CacheSegment[] {
    const segments: CacheSegment[] = [];
    const end = offsetBytes + lengthBytes;
    let next = offsetBytes;
    for (let i = firstEndingAfter(this.#records, offsetBytes); i < this.#records.length && next < end; i++) {
      const record = this.#records[i] as CacheRecord;
      if (record.offsetBytes >= end) break;
      if (record.offsetBytes > next) segments.push({ kind: 'missing', offsetBytes: next, lengthBytes: record.offsetBytes - next });
      const from = Math.max(next, record.offsetBytes);
      const to = Math.min(end, rangeEnd(record));
      segments.push({ kind: 'cached', record, offsetBytes: from, lengthBytes: to - from });
      next = to;
    }
    if (next < end) segments.push({ kind: 'missing', offsetBytes: next, lengthBytes: end - next });
    return segments;
  }

  /** The record's bytes when they still hash to its digest; otherwise the record is forgotten and null returned. */
  async readRecord(record: CacheRecord): Promise<Buffer | null> {
    const buffer = Buffer.allocUnsafe(record.lengthBytes);
    let filled = 0;
    try {
      while (filled < buffer.length) {
        const { bytesRead } = await readAsync(this.#dataFd, buffer, filled, buffer.length - filled, record.offsetBytes + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
    } catch {
      filled = -1;
    }
    if (filled === buffer.length && createHash('sha256').update(buffer).digest('hex') === record.sha256) return buffer;
    this.discard(record);
    return null;
  }

  /** True when the entry still holds exactly this record (not replaced, not discarded). */
  holds(record: CacheRecord): boolean {
    const i = firstEndingAfter(this.#records, record.offsetBytes);
    return this.#records[i] === record;
  }

  /** True when no record overlaps the range (it may be written). */
  isMissing(range: ByteRange): boolean {
    const i = firstEndingAfter(this.#records, range.offsetBytes);
    const next = this.#records[i];
    return next === undefined || !rangesOverlap(next, range);
  }

  /** Writes bytes at their offset and records them (digest of exactly these bytes). Only for missing ranges. */
  async writeRecord(offsetBytes: number, chunks: readonly Buffer[]): Promise<void> {
    if (this.#journalFd === null || this.#closed) return;
    const lengthBytes = chunks.reduce((n, c) => n + c.length, 0);
    if (lengthBytes === 0 || !this.isMissing({ offsetBytes, lengthBytes })) return;
    const hash = createHash('sha256');
    for (const chunk of chunks) hash.update(chunk);
    const sha256 = hash.digest('hex');
    let written = 0;
    let pending = [...chunks];
    while (written < lengthBytes) {
      const { bytesWritten: bytes } = await writevAsync(this.#dataFd, pending, offsetBytes + written);
      written += bytes;
      pending = dropFront(pending, bytes);
    }
    if (this.#closed || !this.isMissing({ offsetBytes, lengthBytes })) return;
    this.#append({ t: 'r', o: offsetBytes, n: lengthBytes, h: sha256 });
  }

  /** Forgets every record and verification touching the range (its bytes will be fetched again). */
  discard(range: ByteRange): void {
    this.#append({ t: 'x', o: range.offsetBytes, n: range.lengthBytes });
  }

  /** Notes that the region passed its SHA-384 check. */
  markVerified(range: ByteRange): void {
    this.#append({ t: 'v', o: range.offsetBytes, n: range.lengthBytes });
  }

  /** Notes the image hash (SHA-384 of metadata.json); a different one than before discards everything. */
  noteImageHash(imageHash: string): void {
    if (this.#imageHash === imageHash) return;
    if (this.#imageHash !== null) this.discard({ offsetBytes: 0, lengthBytes: this.sizeBytes });
    this.#append({ t: 'm', h: imageHash });
  }

  async sync(): Promise<void> {
    if (this.#closed || this.#journalFd === null) return;
    await fdatasyncAsync(this.#dataFd).catch(() => undefined);
    await fdatasyncAsync(this.#journalFd).catch(() => undefined);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    closeSync(this.#dataFd);
    if (this.#journalFd !== null) closeSync(this.#journalFd);
    this.#onClose();
  }

  #append(line: JournalLine): void {
    this.#apply(line);
    if (this.#journalFd === null || this.#closed) return;
    try {
      writeSync(this.#journalFd, formatJournalLine(line));
    } catch {
      // A journal line that cannot be written only costs a re-download later.
    }
  }

  #apply(line: JournalLine): void {
    if (line.t === 'r') {
      const record: CacheRecord = { offsetBytes: line.o, lengthBytes: line.n, sha256: line.h };
      if (!this.isMissing(record)) return;
      const at = firstEndingAfter(this.#records, record.offsetBytes);
      this.#records.splice(at, 0, record);
    } else if (line.t === 'v') {
      addMerged(this.#verified, { offsetBytes: line.o, lengthBytes: line.n });
    } else if (line.t === 'x') {
      const range = { offsetBytes: line.o, lengthBytes: line.n };
      this.#records = this.#records.filter((r) => !rangesOverlap(r, range));
      this.#verified = this.#verified.filter((r) => !rangesOverlap(r, range));
    } else {
      this.#imageHash = line.h;
    }
  }
}

function dropFront(chunks: readonly Buffer[], bytes: number): Buffer[] {
  const rest: Buffer[] = [];
  let skip = bytes;
  for (const chunk of chunks) {
    if (skip >= chunk.length) {
      skip -= chunk.length;
      continue;
    }
    rest.push(skip > 0 ? chunk.subarray(skip) : chunk);
    skip = 0;
  }
  return rest;
}
