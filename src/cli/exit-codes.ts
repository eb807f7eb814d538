import type { CosiflashError } from '../errors.ts';

/** Exit codes of every `cosiflash` command (documented in the README). */
export const EXIT_CODES = {
  ok: 0,
  /** Internal error (a bug). */
  internal: 1,
  /** Bad command line. */
  usage: 2,
  /** The image or its location is invalid, unreachable or does not match the expected hash. */
  invalidInput: 3,
  /** The target disk was refused (ineligible, not found, busy, no permission) — nothing written. */
  refusedTarget: 4,
  /** Writing or verification failed — the disk was left with no valid partition table. */
  writeFailed: 5,
  /** Cancelled by the user (Ctrl-C, or the confirmation was not given). */
  cancelled: 6,
  /** `verify`: the image is corrupt (a region failed its checks). */
  corrupt: 7,
} as const;

/** Maps an error to the documented exit codes (README: "Exit codes"). */
export function exitCodeFor(error: CosiflashError): number {
  switch (error.code) {
    case 'E_CANCELLED':
      return EXIT_CODES.cancelled;
    case 'E_DISK_NOT_FOUND':
    case 'E_DISK_CHANGED':
    case 'E_DISK_INELIGIBLE':
    case 'E_NO_ELIGIBLE_DISK':
    case 'E_DISK_OPEN':
    case 'E_PERMISSION':
    case 'E_REMOTE_UNREACHABLE':
    case 'E_REMOTE_AUTH':
    case 'E_REMOTE_BUSY':
    case 'E_REMOTE':
      return EXIT_CODES.refusedTarget;
    case 'E_WRITE':
    case 'E_VERIFY':
    case 'E_WRITER':
    case 'E_REMOTE_LOST':
      return EXIT_CODES.writeFailed;
    case 'E_INTERNAL':
      return EXIT_CODES.internal;
    case 'E_INPUT':
      return EXIT_CODES.usage;
    // The registry said no (not found, denied, no credentials), or sent something unusable.
    case 'E_OCI_NOT_FOUND':
    case 'E_OCI_DENIED':
    case 'E_OCI_NO_CREDENTIALS':
    case 'E_OCI_CREDENTIAL_HELPER':
    case 'E_OCI_MANIFEST':
    case 'E_OCI_DIGEST':
      return EXIT_CODES.invalidInput;
    default:
      return EXIT_CODES.invalidInput;
  }
}
