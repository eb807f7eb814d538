import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { crc32 } from '../../src/gpt/crc32.ts';

describe('crc32', () => {
  it('matches the CRC-32 check value and edge cases', () => {
    expect(crc32(Buffer.from('123456789', 'latin1'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
    expect(crc32(new Uint8Array(4).fill(0xff))).toBe(0xffffffff);
  });

  it('agrees with an independent implementation (python zlib) on random data', () => {
    const data = Buffer.alloc(16_384);
    for (let i = 0; i < data.length; i += 1) data[i] = (i * 131 + (i >> 7)) & 0xff;
    const expected = Number(execFileSync('python3', ['-c', 'import sys, zlib; print(zlib.crc32(sys.stdin.buffer.read()))'], { input: data }).toString().trim());
    expect(crc32(data)).toBe(expected);
  });

  it('works on a subarray view (offset into a larger buffer)', () => {
    const big = Buffer.from('xx123456789yy', 'latin1');
    expect(crc32(big.subarray(2, 11))).toBe(0xcbf43926);
  });
});
