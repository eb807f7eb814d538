/**
 * Zeroes a byte range of a block device with the device's own WRITE ZEROES command:
 * `fallocate --zero-range` on the device node becomes FALLOC_FL_ZERO_RANGE →
 * blkdev_issue_zeroout(…, NOUNMAP) in the kernel (guaranteed zeros, no data crosses the bus).
 * Chosen over `blkdiscard --zeroout` (BLKZEROOUT, the same kernel call) because blkdiscard opens
 * the device O_EXCL and needs --force while we hold it; fallocate opens it plainly and the
 * kernel drops the range from the page cache either way. Only call it when
 * writeZeroesSupported() said yes (else the kernel would fall back to writing zero pages).
 * Offset and length must be multiples of the logical block (the kernel refuses others).
 */
import { CosiflashError } from '../errors.ts';
import { runTool } from './run-tool.ts';

export async function zeroOutRange(devicePath: string, offsetBytes: number, lengthBytes: number, blockBytes: number): Promise<void> {
  if (lengthBytes <= 0) return;
  if (offsetBytes % blockBytes !== 0 || lengthBytes % blockBytes !== 0) {
    throw new CosiflashError('E_INTERNAL', `zero range ${offsetBytes}+${lengthBytes} of ${devicePath} is not aligned to its ${blockBytes}-byte blocks`);
  }
  try {
    await runTool('fallocate', ['--zero-range', '--offset', String(offsetBytes), '--length', String(lengthBytes), devicePath], { timeoutMs: 600_000 });
  } catch (error) {
    throw new CosiflashError('E_WRITE', `Could not zero ${lengthBytes} bytes at ${offsetBytes} on ${devicePath}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
