import type { CosiMetadata } from './cosi-metadata.ts';
import { applyExtraRules } from './metadata-rules-extra.ts';
import { applyTridentRules } from './metadata-rules-trident.ts';
import { readMetadataStructure, readRootObject } from './metadata-structure.ts';
import { readMetadataVersion } from './metadata-version.ts';

export interface ValidatedMetadata {
  readonly metadata: CosiMetadata;
  /** Soft issues (missing id, unknown optional values, newer minor version …), as `<json.path>: <text>`. */
  readonly warnings: string[];
}

/**
 * Validates a parsed `metadata.json` and returns it typed and normalised (osArch as
 * x86_64/aarch64, hashes and UUIDs lowercase); unknown fields are ignored (COSI spec,
 * "Schema": readers MUST ignore them).
 *
 * Order, first failure wins: the root object and `version` (1.x with x ≥ 2, else
 * E_UNSUPPORTED_VERSION); the structural pass (types, formats, required fields); Trident's
 * semantic checks in Trident's order; then the spec's MUSTs Trident skips
 * (docs/behavior.md §3). Failures are CosiflashError E_METADATA_INVALID
 * (E_UNSUPPORTED_VERSION, E_WINDOW_TOO_LARGE) with detail `<json.path>: <rule>`.
 */
export function validateMetadata(json: unknown): ValidatedMetadata {
  const warnings: string[] = [];
  const root = readRootObject(json);
  const version = readMetadataVersion(root['version'], warnings);
  const parsed = readMetadataStructure(root, version);
  const metadata = applyTridentRules(parsed, warnings);
  applyExtraRules(metadata, warnings);
  return { metadata, warnings };
}
