/**
 * The journal of one cache entry: an append-only text file, one JSON object per line.
 *   {"t":"r","o":offset,"n":length,"h":"<sha256 hex>"}  bytes [o, o+n) are in the data file, with that digest
 *   {"t":"v","o":offset,"n":length}                      region [o, o+n) passed its SHA-384 from metadata.json
 *   {"t":"x","o":offset,"n":length}                      forget every record and verification touching [o, o+n)
 *   {"t":"m","h":"<sha384 hex>"}                         the image hash (SHA-384 of metadata.json) seen for this entry
 * A line is only appended after the bytes it names were handed to the kernel, and a record is
 * re-hashed before any use, so a torn last line, a lost write or a flipped bit costs a
 * re-download of that record, never a wrong byte. Unparsable lines are ignored.
 */
export type JournalLine =
  | { readonly t: 'r'; readonly o: number; readonly n: number; readonly h: string }
  | { readonly t: 'v'; readonly o: number; readonly n: number }
  | { readonly t: 'x'; readonly o: number; readonly n: number }
  | { readonly t: 'm'; readonly h: string };

export function formatJournalLine(line: JournalLine): string {
  return `${JSON.stringify(line)}\n`;
}

/** The lines of a journal that are complete and well-formed, in order. */
export function parseJournal(text: string, sizeBytes: number): JournalLine[] {
  const lines: JournalLine[] = [];
  const parts = text.split('\n');
  // The last part has no newline: a torn write.
  parts.pop();
  for (const part of parts) {
    let value: unknown;
    try {
      value = JSON.parse(part);
    } catch {
      continue;
    }
    const line = checkLine(value, sizeBytes);
    if (line !== null) lines.push(line);
  }
  return lines;
}

function checkLine(value: unknown, sizeBytes: number): JournalLine | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  const range = (): boolean => Number.isSafeInteger(v.o) && Number.isSafeInteger(v.n) && (v.o as number) >= 0 && (v.n as number) > 0 && (v.o as number) + (v.n as number) <= sizeBytes;
  if (v.t === 'r' && range() && typeof v.h === 'string' && /^[0-9a-f]{64}$/.test(v.h)) return { t: 'r', o: v.o as number, n: v.n as number, h: v.h };
  if ((v.t === 'v' || v.t === 'x') && range()) return { t: v.t, o: v.o as number, n: v.n as number };
  if (v.t === 'm' && typeof v.h === 'string' && /^[0-9a-f]{96}$/.test(v.h)) return { t: 'm', h: v.h };
  return null;
}
