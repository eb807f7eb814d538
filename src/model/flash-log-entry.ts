/**
 * One line of the flash log (`<config dir>/flash-log.jsonl`): what a bench keeps about every
 * flash, passed or not. Plain JSON data; the UI's History view and `cosiflash log` read it.
 */

/** How a flash ended. `refused`: stopped before any byte reached the disk. */
export type FlashLogResult = 'verified' | 'written' | 'failed' | 'cancelled' | 'refused';

export interface FlashLogEntry {
  readonly toolVersion: string;
  /** Host name, or `--station NAME`. */
  readonly station: string;
  /** Who ran it (`--operator`, or the field in the UI); null when not given. */
  readonly operator: string | null;
  /** ISO 8601. */
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly result: FlashLogResult;
  /** The E_* code of the failure, null on success. */
  readonly errorCode: string | null;
  readonly image: {
    readonly location: string;
    /** `sha384:<hex>`, or '' when the image could not be read. */
    readonly imageHash: string;
    readonly os: string | null;
    readonly osVersion: string | null;
  };
  readonly device: {
    readonly path: string;
    readonly sizeBytes: number;
    readonly model: string | null;
    readonly serial: string | null;
    readonly bus: string | null;
  };
  readonly bytesDownloaded: number;
  readonly bytesWritten: number;
  readonly throughputBytesPerSecond: number;
  /** One verdict per region (number 0 is the partition table). */
  readonly partitions: readonly FlashLogPartition[];
}

export interface FlashLogPartition {
  readonly number: number;
  readonly name: string;
  /** The region's final phase: verified, written, failed, cancelled, waiting (never reached). */
  readonly verdict: string;
  /** Read back and matched; null when not read back. */
  readonly readBackOk: boolean | null;
}
