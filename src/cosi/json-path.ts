import { CosiflashError } from '../errors.ts';

/**
 * Small readers for untrusted JSON that fail with `E_METADATA_INVALID` and a detail of the form
 * `<json.path>: <rule in plain words>` (e.g. `disk.gptRegions[2].number: must be an integer`).
 * Used by the metadata validator so every rule names exactly where the document breaks it.
 */

/** A JSON object as read from untrusted input. */
export type JsonObject = Readonly<Record<string, unknown>>;

/** Throws the metadata error for `path` breaking `rule`. */
export function failAt(path: string, rule: string): never {
  throw new CosiflashError('E_METADATA_INVALID', `${path}: ${rule}`);
}

/** `images` + 0 → `images[0]`; `disk` + `size` → `disk.size`; '' + `version` → `version`. */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent === '' ? key : `${parent}.${key}`;
}

/** A short, human description of a JSON value for error messages: `a number (5)`, `null`, … */
export function describeJson(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string': return `the string ${quote(value)}`;
    case 'number': return `the number ${value}`;
    case 'boolean': return `${value}`;
    case 'object': return 'an object';
    default: return typeof value;
  }
}

/** JSON-quotes a string, shortened to keep messages readable. */
export function quote(text: string): string {
  const shown = text.length > 80 ? `${text.slice(0, 77)}...` : text;
  return JSON.stringify(shown);
}

/** Absent means missing or null: the spec allows "omitted OR null" for optional fields. */
export function isAbsent(value: unknown): value is undefined | null {
  return value === undefined || value === null;
}

/** A JSON object (not null, not an array) at `path`, or fail. */
export function readObject(value: unknown, path: string): JsonObject {
  if (value === undefined) failAt(path, 'is required (an object) but missing');
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    failAt(path, `must be an object, got ${describeJson(value)}`);
  }
  return value as JsonObject;
}

/** A JSON array at `path`, or fail. */
export function readArray(value: unknown, path: string): readonly unknown[] {
  if (value === undefined) failAt(path, 'is required (an array) but missing');
  if (!Array.isArray(value)) failAt(path, `must be an array, got ${describeJson(value)}`);
  return value;
}

/** A string at `path` (optionally non-empty), or fail. */
export function readString(value: unknown, path: string, options: { nonEmpty?: boolean } = {}): string {
  if (value === undefined) failAt(path, 'is required (a string) but missing');
  if (typeof value !== 'string') failAt(path, `must be a string, got ${describeJson(value)}`);
  if (options.nonEmpty === true && value === '') failAt(path, 'must not be empty');
  return value;
}

/** A whole number ≥ min that JavaScript represents exactly (≤ 2^53 − 1). */
export function readInteger(value: unknown, path: string, options: { min: number }): number {
  if (value === undefined) failAt(path, 'is required (a whole number) but missing');
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    failAt(path, `must be a whole number, got ${describeJson(value)}`);
  }
  if (!Number.isSafeInteger(value)) failAt(path, `must be at most ${Number.MAX_SAFE_INTEGER}, got ${value}`);
  if (value < options.min) failAt(path, `must be at least ${options.min}, got ${value}`);
  return value;
}
