/**
 * metadata.json bytes → a JSON value, within a budget. The document comes from the image, so
 * it is untrusted: a 63 MB file of empty objects once cost 2.5 GB of memory and was accepted.
 *
 * Limits: at most {@link MAX_METADATA_BYTES} bytes, {@link MAX_METADATA_JSON_VALUES} values
 * and {@link MAX_METADATA_JSON_DEPTH} levels of nesting (a real COSI 1.2 document with a few
 * thousand packages has ~5 values per package and 5 levels). Duplicate object keys are an
 * error (Trident's serde structs reject a repeated field too); JSON.parse would keep the last one, so
 * two readers could see two different documents behind one image hash.
 *
 * A pre-scan (iterative, no recursion, no allocation per value beyond key sets) enforces the
 * limits and finds duplicates; syntax errors are left to JSON.parse, whose messages it keeps.
 */
import { CosiflashError } from '../errors.ts';
import { childPath } from './json-path.ts';

/** Largest metadata.json accepted; real ones are a few KiB to a few hundred KiB (package lists). */
export const MAX_METADATA_BYTES = 1024 * 1024;
/** Largest number of JSON values (objects, arrays, strings, numbers, literals) in metadata.json. */
export const MAX_METADATA_JSON_VALUES = 200_000;
/** Deepest nesting of objects and arrays in metadata.json. */
export const MAX_METADATA_JSON_DEPTH = 64;

/** Parses metadata.json: E_METADATA_INVALID for a budget or duplicate key, E_METADATA_JSON for bad UTF-8 or syntax. */
export function parseMetadataJson(bytes: Uint8Array): unknown {
  if (bytes.length > MAX_METADATA_BYTES) {
    throw new CosiflashError('E_METADATA_INVALID', `metadata.json is ${bytes.length} bytes, more than the ${MAX_METADATA_BYTES}-byte limit`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    throw new CosiflashError('E_METADATA_JSON', 'metadata.json is not valid UTF-8', { cause: error });
  }
  scanJson(text);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new CosiflashError('E_METADATA_JSON', `metadata.json: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

interface Frame {
  readonly kind: 'object' | 'array';
  readonly path: string;
  readonly keys: Set<string> | null;
  index: number;
}

const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);

/** Walks the text once, enforcing the budget and unique keys; returns silently at the first syntax error. */
function scanJson(text: string): void {
  const stack: Frame[] = [];
  let at = 0;
  let values = 0;
  const skipSpace = (): void => {
    while (at < text.length && WHITESPACE.has(text.charCodeAt(at))) at += 1;
  };
  /** Index just past the closing quote of the string starting at `at`, or -1. */
  const stringEnd = (): number => {
    for (let i = at + 1; i < text.length; i += 1) {
      const c = text.charCodeAt(i);
      if (c === 0x5c) i += 1;
      else if (c === 0x22) return i + 1;
    }
    return -1;
  };
  // Reads one value at `at` whose path is `path`; returns false on a syntax error.
  const value = (path: string): boolean => {
    values += 1;
    if (values > MAX_METADATA_JSON_VALUES) {
      throw new CosiflashError('E_METADATA_INVALID', `metadata.json has more than ${MAX_METADATA_JSON_VALUES} JSON values (at ${path || 'the top level'})`);
    }
    const c = text[at];
    if (c === '{' || c === '[') {
      if (stack.length >= MAX_METADATA_JSON_DEPTH) {
        throw new CosiflashError('E_METADATA_INVALID', `${path || 'metadata.json'}: nested more than ${MAX_METADATA_JSON_DEPTH} levels deep`);
      }
      stack.push({ kind: c === '{' ? 'object' : 'array', path, keys: c === '{' ? new Set() : null, index: 0 });
      at += 1;
      return true;
    }
    if (c === '"') {
      const end = stringEnd();
      if (end === -1) return false;
      at = end;
      return true;
    }
    const start = at;
    while (at < text.length && /[\w.+-]/.test(text[at] ?? '')) at += 1;
    return at > start;
  };

  skipSpace();
  if (!value('')) return;
  while (stack.length > 0) {
    const frame = stack[stack.length - 1];
    if (frame === undefined) return;
    skipSpace();
    const close = frame.kind === 'object' ? '}' : ']';
    if (text[at] === close) {
      stack.pop();
      at += 1;
      continue;
    }
    if (frame.index > 0) {
      if (text[at] !== ',') return;
      at += 1;
      skipSpace();
    }
    if (frame.kind === 'array') {
      if (!value(childPath(frame.path, frame.index))) return;
      frame.index += 1;
      continue;
    }
    if (text[at] !== '"') return;
    const end = stringEnd();
    if (end === -1) return;
    const raw = text.slice(at, end);
    let key: string;
    try {
      key = raw.includes('\\') ? (JSON.parse(raw) as string) : raw.slice(1, -1);
    } catch {
      return;
    }
    const path = childPath(frame.path, key);
    if (frame.keys?.has(key)) throw new CosiflashError('E_METADATA_INVALID', `${path}: duplicate key ${JSON.stringify(key.slice(0, 80))} (each key may appear once per object)`);
    frame.keys?.add(key);
    at = end;
    skipSpace();
    if (text[at] !== ':') return;
    at += 1;
    skipSpace();
    if (!value(path)) return;
    frame.index += 1;
  }
}
