import { createHash } from 'node:crypto';
import { CosiflashError } from '../errors.ts';
import type { RegionLedger } from './region-ledger.ts';
import { readBackSha384 } from './read-back.ts';
import type { TargetDevice } from './target-device.ts';

/** A written region to read back: where it starts (LBA) and its decoded length. */
export interface VerifyItem {
  readonly number: number;
  readonly startLba: number;
  readonly lengthBytes: number;
}

/**
 * Reads every region of one target back through O_DIRECT and compares it with the SHA-384 of
 * what was decoded (before the table is written). Throws E_VERIFY at the first difference.
 */
export async function verifyRegions(device: TargetDevice, target: number, lbaSize: number, items: readonly VerifyItem[], ledger: RegionLedger, signal: AbortSignal): Promise<void> {
  for (const item of items) {
    ledger.update(item.number, { phase: 'verifying' }, target);
    const actual = await readBackSha384(device, item.startLba * lbaSize, item.lengthBytes, { signal, onRead: (bytes) => ledger.add(item.number, { verifiedBytes: bytes }, target) });
    const { uncompressedSha384: expected, name } = ledger.region(item.number, target);
    if (actual !== expected) {
      const error = new CosiflashError('E_VERIFY', `Partition ${item.number} (${name}) reads back as SHA-384 ${actual}, ${expected ?? '?'} was written`);
      ledger.update(item.number, { phase: 'failed', readBackOk: false, error: error.toAppError() }, target);
      throw error;
    }
    ledger.update(item.number, { phase: 'verified', readBackOk: true }, target);
  }
}

/** Reads one target's table (primary and backup) back and compares; region 0 in the ledger. */
export async function verifyTable(device: TargetDevice, target: number, table: { primary: Buffer; backup: Buffer; backupOffsetBytes: number }, ledger: RegionLedger, signal: AbortSignal): Promise<void> {
  ledger.update(0, { phase: 'verifying' }, target);
  const same = async (expected: Buffer, positionBytes: number): Promise<boolean> =>
    (await readBackSha384(device, positionBytes, expected.byteLength, { signal })) === createHash('sha384').update(expected).digest('hex');
  const ok = (await same(table.primary, 0)) && (await same(table.backup, table.backupOffsetBytes));
  if (!ok) {
    const error = new CosiflashError('E_VERIFY', 'The partition table reads back differently from what was written');
    ledger.update(0, { phase: 'failed', readBackOk: false, error: error.toAppError() }, target);
    throw error;
  }
  ledger.update(0, { phase: 'verified', readBackOk: true, verifiedBytes: ledger.region(0, target).writtenBytes }, target);
}
