/**
 * The official COSI v1.2 metadata samples (../shared/cosi-reference/, copied from
 * microsoft/trident) and helpers to mutate one thing and read back how validateMetadata
 * answers: accepted (with warnings) or rejected (code + detail).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CosiflashError } from '../../src/errors.ts';
import { validateMetadata } from '../../src/cosi/validate-metadata.ts';

export const SAMPLES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/cosi-reference/samples/v1.2');

/** Parsed JSON that tests edit freely. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type JsonDoc = any;

export function sampleNames(kind: 'valid' | 'invalid'): string[] {
  return readdirSync(path.join(SAMPLES_DIR, kind)).filter((name) => name.endsWith('.json')).sort();
}

/** A fresh parse of a sample on every call, so mutations never leak between tests. */
export function loadSample(kind: 'valid' | 'invalid', name: string): JsonDoc {
  return JSON.parse(readFileSync(path.join(SAMPLES_DIR, kind, name), 'utf8'));
}

/** valid/grub-simple.json with one mutation applied. */
export function mutatedSample(mutate: (doc: JsonDoc) => void, base = 'grub-simple.json'): JsonDoc {
  const doc = loadSample('valid', base);
  mutate(doc);
  return doc;
}

export type Outcome =
  | { readonly accepted: true; readonly warnings: readonly string[] }
  | { readonly accepted: false; readonly code: string; readonly detail: string };

/** Runs validateMetadata; any error that is not a CosiflashError is rethrown (a bug). */
export function outcome(json: unknown): Outcome {
  try {
    const { warnings } = validateMetadata(json);
    return { accepted: true, warnings };
  } catch (error) {
    if (!(error instanceof CosiflashError)) throw error;
    return { accepted: false, code: error.code, detail: error.detail };
  }
}

/** Shorthand for the usual expectation: E_METADATA_INVALID with this exact detail. */
export function invalid(detail: string): Outcome {
  return { accepted: false, code: 'E_METADATA_INVALID', detail };
}
