import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createZstdFrameChecker } from '../../src/cosi/zstd-frame-checker.ts';

/** Compressed by the zstd CLI, so the frames are the reference tool's, not ours. */
function zstd(data: Buffer, ...flags: string[]): Buffer {
  return execFileSync('zstd', ['-c', '-q', ...flags], { input: data });
}

function check(bytes: Buffer, chunkBytes = 7): string | null {
  const checker = createZstdFrameChecker();
  for (let at = 0; at < bytes.length; at += chunkBytes) checker.update(bytes.subarray(at, at + chunkBytes));
  return checker.finish();
}

/** What the zstd CLI's integrity test says: true when `zstd -t` accepts the bytes. */
function zstdTestAccepts(bytes: Buffer): boolean {
  try {
    execFileSync('zstd', ['-t', '-q'], { input: bytes, stdio: ['pipe', 'ignore', 'ignore'] });
    return true;
  } catch {
    return false;
  }
}

const random = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 2654435761) >>> 24));
const frameA = zstd(random, '--check');
const frameB = zstd(Buffer.alloc(200_000, 3), '--no-check');
const skippable = Buffer.concat([Buffer.from([0x52, 0x2a, 0x4d, 0x18, 5, 0, 0, 0]), Buffer.from('hello')]);

describe('createZstdFrameChecker agrees with zstd -t', () => {
  const cases: [string, Buffer, boolean][] = [
    ['one frame with checksum', frameA, true],
    ['two frames', Buffer.concat([frameA, frameB]), true],
    ['a skippable frame between frames', Buffer.concat([frameA, skippable, frameB]), true],
    ['a long-window frame', zstd(random, '--long=27'), true],
    ['garbage after the last frame', Buffer.concat([frameA, Buffer.from('garbage!')]), false],
    ['zeros after the last frame', Buffer.concat([frameB, Buffer.alloc(4096)]), false],
    ['three stray bytes after the last frame', Buffer.concat([frameB, Buffer.from([0x28, 0xb5, 0x2f])]), false],
    ['a truncated frame', frameA.subarray(0, frameA.length - 10), false],
    ['garbage before the first frame', Buffer.concat([Buffer.from('xxxx'), frameA]), false],
  ];
  for (const [name, bytes, valid] of cases) {
    it(`${name}: ${valid ? 'accepted' : 'rejected'}`, () => {
      expect(zstdTestAccepts(bytes)).toBe(valid);
      const problem = check(bytes);
      if (valid) expect(problem).toBeNull();
      else expect(problem).toEqual(expect.any(String));
      expect(check(bytes, 1 << 20)).toEqual(problem);
    });
  }

  it('names the offset of trailing data', () => {
    expect(check(Buffer.concat([frameB, Buffer.from('garbage!')]))).toBe(`data that is not a zstd frame at byte ${frameB.length}, after the last frame (zstd -t rejects this)`);
  });
});
