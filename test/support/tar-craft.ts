/**
 * Byte-level tar writing for tests that need archives no real tool would make (hostile size
 * fields, PAX bodies, long names). Independent of tar-stream and GNU tar: POSIX.1-1988 USTAR
 * layout, checksum computed here.
 */

export const TAR_END = Buffer.alloc(1024);

/**
 * A 12-byte base-256 size field (GNU extension: 0x80 first marks positive, 0xFF negative) that
 * tar-stream 3.2.2 decodes as exactly `value`. Its parse256 reads negatives as a one's
 * complement (bytes of -513 decode as -512), so negatives are written one lower.
 */
export function base256SizeField(value: bigint): Buffer {
  const field = Buffer.alloc(12);
  let v = BigInt.asUintN(88, value < 0n ? value - 1n : value);
  for (let i = 11; i >= 1; i -= 1) {
    field[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  field[0] = value < 0n ? 0xff : 0x80;
  return field;
}

/** Recomputes a header block's checksum in place (after a test changed a field). */
export function fixChecksum(block: Buffer): Buffer {
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block.subarray(0, 512)) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return block;
}

/** One USTAR header block; `sizeField` replaces the octal size with raw bytes (e.g. base-256 or garbage). */
export function ustarHeader(name: string, sizeBytes: number, typeflag = '0', options: { sizeField?: Buffer } = {}): Buffer {
  const block = Buffer.alloc(512);
  block.write(name, 0, 100, 'utf8');
  block.write('0000644\0', 100);
  block.write('0000000\0', 108);
  block.write('0000000\0', 116);
  if (options.sizeField) options.sizeField.copy(block, 124, 0, 12);
  else block.write(`${sizeBytes.toString(8).padStart(11, '0')}\0`, 124);
  block.write('00000000000\0', 136);
  block.write(typeflag, 156);
  block.write('ustar\u000000', 257, 'latin1');
  return fixChecksum(block);
}

/** Pads data to whole 512-byte blocks. */
export function padded(data: Buffer): Buffer {
  return Buffer.concat([data, Buffer.alloc((512 - (data.length % 512)) % 512)]);
}

/** One PAX record `LEN key=value\n` with its self-inclusive length. */
export function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let length = body.length + 1;
  while (`${length}${body}`.length !== length) length += 1;
  return `${length}${body}`;
}

/** A header plus its padded data. */
export function tarEntry(name: string, data: Buffer): Buffer {
  return Buffer.concat([ustarHeader(name, data.length), padded(data)]);
}
