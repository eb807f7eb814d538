import { CosiflashError } from '../errors.ts';
import { describeJson, failAt, quote } from './json-path.ts';

/** The COSI revision this validator knows; newer 1.x minors are read as 1.2 with a warning. */
export const KNOWN_MINOR = 2;

/** A parsed `MAJOR.MINOR` version, with the text as written. */
export interface MetadataVersion {
  readonly text: string;
  readonly major: number;
  readonly minor: number;
}

/**
 * Reads `version` (`MAJOR.MINOR`) and decides whether Cosiflash can stream this COSI.
 * The version is read before anything else because the rules depend on it (COSI spec,
 * "Root Object"; Trident reads the version first as well). Streaming to a disk needs the
 * `disk` object added in 1.2, so 1.0/1.1 and other majors are E_UNSUPPORTED_VERSION;
 * a malformed version string is E_METADATA_INVALID.
 */
export function readMetadataVersion(value: unknown, warnings: string[]): MetadataVersion {
  if (value === undefined) failAt('version', 'is required (a string "MAJOR.MINOR", e.g. "1.2") but missing');
  if (typeof value !== 'string') failAt('version', `must be a string "MAJOR.MINOR" (e.g. "1.2"), got ${describeJson(value)}`);
  const match = /^(\d+)\.(\d+)$/.exec(value);
  if (match === null) failAt('version', `must have the form MAJOR.MINOR (e.g. "1.2"), got ${quote(value)}`);
  const major = Number(match[1]);
  const minor = Number(match[2]);
  if (major !== 1) {
    throw new CosiflashError('E_UNSUPPORTED_VERSION',
      `version: COSI ${value} is not supported; Cosiflash reads COSI 1.x from 1.2 on (major version 1)`);
  }
  if (minor < KNOWN_MINOR) {
    throw new CosiflashError('E_UNSUPPORTED_VERSION',
      `version: COSI ${value} has no disk layout; writing a disk needs COSI 1.2 or newer (1.2 added the "disk" object)`);
  }
  if (minor > KNOWN_MINOR) {
    warnings.push(`version: COSI ${value} is newer than 1.2; it is read with the 1.2 rules and fields added later are ignored`);
  }
  return { text: value, major, minor };
}
