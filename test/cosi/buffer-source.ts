/**
 * An ImageSource over bytes in memory, for tar tests that craft archives byte by byte.
 * Counts transferred bytes like the real sources do. Real files and HTTP go through openSource.
 */
import { CosiflashError } from '../../src/errors.ts';
import type { ImageSource } from '../../src/source/image-source.ts';

export function bufferSource(bytes: Buffer): ImageSource & { reads: number } {
  let transferredBytes = 0;
  let reads = 0;
  const check = (offsetBytes: number, lengthBytes: number): void => {
    if (offsetBytes < 0 || offsetBytes + lengthBytes > bytes.length) throw new CosiflashError('E_FILE_READ', `read past the end: ${offsetBytes}+${lengthBytes} > ${bytes.length}`);
  };
  return {
    location: 'memory',
    kind: 'file',
    sizeBytes: bytes.length,
    localPath: null,
    get transferredBytes() {
      return transferredBytes;
    },
    get reads() {
      return reads;
    },
    async read(offsetBytes, lengthBytes) {
      check(offsetBytes, lengthBytes);
      transferredBytes += lengthBytes;
      reads += 1;
      return Buffer.from(bytes.subarray(offsetBytes, offsetBytes + lengthBytes));
    },
    async *stream(offsetBytes, lengthBytes) {
      check(offsetBytes, lengthBytes);
      for (let at = offsetBytes; at < offsetBytes + lengthBytes; at += 65536) {
        const end = Math.min(offsetBytes + lengthBytes, at + 65536);
        transferredBytes += end - at;
        yield Buffer.from(bytes.subarray(at, end));
      }
    },
    async close() {},
  };
}
