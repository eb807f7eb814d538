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
