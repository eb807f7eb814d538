/**
 * One flash, as a front end asks for it (module-apis: src/model). Plain data: it crosses
 * the writer-process boundary as JSON.
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

/** A structural check for data that arrived over a process boundary. */
export function isFlashRequest(value: unknown): value is FlashRequest {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  const optionalString = (x: unknown): boolean => x === undefined || typeof x === 'string';
  return (
    typeof v.source === 'string' &&
    optionalString(v.device) &&
    optionalString(v.expectedHash) &&
    typeof v.verify === 'boolean' &&
    typeof v.unmount === 'boolean' &&
    typeof v.allowLoop === 'boolean' &&
    (v.confirmedDisk === undefined || isDiskIdentity(v.confirmedDisk)) &&
    (v.moreTargets === undefined || (typeof v.device === 'string' && Array.isArray(v.moreTargets) && v.moreTargets.every(isTargetRequest))) &&
    (v.cache === undefined || isFlashCacheRequest(v.cache)) &&
    (v.retryForSeconds === undefined || (typeof v.retryForSeconds === 'number' && Number.isFinite(v.retryForSeconds) && v.retryForSeconds >= 0)) &&
    (v.plainHttp === undefined || typeof v.plainHttp === 'boolean') &&
    (v.onlyDevices === undefined || (Array.isArray(v.onlyDevices) && v.onlyDevices.every((d) => typeof d === 'string')))
  );
}

function isFlashCacheRequest(value: unknown): value is FlashCacheRequest {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.dir === 'string' && /^(\/|[A-Za-z]:\\)/.test(v.dir) && v.dir.length <= 4096 && (v.maxBytes === null || (Number.isSafeInteger(v.maxBytes) && (v.maxBytes as number) >= 0));
}

function isTargetRequest(value: unknown): value is TargetRequest {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.device === 'string' && isDiskIdentity(v.confirmedDisk);
}

function isDiskIdentity(value: unknown): value is DiskIdentity {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  const nullableText = (x: unknown): boolean => x === null || typeof x === 'string';
  return typeof v.device === 'string' && Number.isSafeInteger(v.sizeBytes) && Number.isSafeInteger(v.logicalSectorBytes) && nullableText(v.diskseq) && nullableText(v.majMin) && nullableText(v.serial) && nullableText(v.model);
}
