/**
 * One flash, as a front end asks for it (module-apis: src/model). Plain data: it crosses
 * the writer-process boundary as JSON, checked there by src/common/flash-request-check.ts.
 */
import type { DiskIdentity } from './disk-identity.ts';
export interface FlashRequest {
  /** URL or path of the COSI. */
  readonly source: string;
  /** Whole-disk device; absent → auto-selection (smallest eligible disk that fits). */
  readonly device?: string;
  /** `sha384:<hex>` or bare hex of metadata.json; checked before anything is written. */
  readonly expectedHash?: string;
  /** Read each region back after writing and compare (default in front ends: true). */
  readonly verify: boolean;
  /** The user agreed to unmount the target's partitions. */
  readonly unmount: boolean;
  /** Loop devices may be candidates (tests, "show virtual disks"). */
  readonly allowLoop: boolean;
  /** Restrict candidates to these devices (tests: only their own loop devices). */
  readonly onlyDevices?: readonly string[];
  /** The disk the user confirmed; the writer refuses with E_DISK_CHANGED, before writing, when the device is no longer it. */
  readonly confirmedDisk?: DiskIdentity;
  /**
   * Further targets of the same job (issue 11 §1): each region is fetched, hashed and decoded
   * once and written to `device` and to every one of these. Requires `device`. Each is re-checked
   * (eligibility, identity) exactly like `device`; a target that fails is dropped alone.
   */
  readonly moreTargets?: readonly TargetRequest[];
  /** How long a server that became unreachable mid-flash is retried (default 120 s; `--retry-for`). */
  readonly retryForSeconds?: number;
  /** oci:// only: plain HTTP to a loopback registry (`--plain-http`); the source refuses it for any other registry. */
  readonly plainHttp?: boolean;
  /**
   * Keep an http(s) image in the verified image cache and read what it already holds from there
   * (src/cache/). The folder is the invoking user's; an elevated writer works in it as that user.
   */
  readonly cache?: FlashCacheRequest;
}

/** One more whole-disk target of a job, with the identity the user confirmed. */
export interface TargetRequest {
  readonly device: string;
  readonly confirmedDisk: DiskIdentity;
}

export interface FlashCacheRequest {
  /** The cache folder (the front end's `$XDG_CACHE_HOME/cosiflash`). */
  readonly dir: string;
  /** Size cap in bytes; null → the smaller of 20 GiB and a quarter of the free space. */
  readonly maxBytes: number | null;
}

