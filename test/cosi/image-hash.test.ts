import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertImageHash, computeImageHash, formatImageHash, parseExpectedHash } from '../../src/cosi/image-hash.ts';
import { loadSample, SAMPLES_DIR } from '../support/metadata-samples.ts';
import { thrownCosiflashError } from '../support/thrown-cosiflash-error.ts';

const HEX = '0123456789abcdef'.repeat(6);

/** The code and detail (only) of the CosiflashError `fn` throws. */
function errorOf(fn: () => unknown): { code: string; detail: string } {
  const { code, detail } = thrownCosiflashError(fn);
  return { code, detail };
}

describe('parseExpectedHash', () => {
  it.each([
    ['sha384:<hex>', `sha384:${HEX}`, HEX],
    ['upper-case prefix and hex', `SHA384:${HEX.toUpperCase()}`, HEX],
    ['mixed-case prefix', `Sha384:${HEX}`, HEX],
    ['bare hex', HEX, HEX],
    ['bare upper-case hex', HEX.toUpperCase(), HEX],
    ['surrounding whitespace', `  sha384:${HEX}\n`, HEX],
    ['ignored', 'ignored', ''],
    ['IGNORED', 'IGNORED', ''],
    ['empty', '', ''],
    ['blank', '   ', ''],
  ])('accepts %s', (_name, text, expected) => {
    expect(parseExpectedHash(text)).toBe(expected);
  });

  it.each([
    ['95 digits', HEX.slice(1), `"${HEX.slice(1, 38)}..." is not an image hash`],
    ['97 digits', `${HEX}0`, `"${HEX.slice(0, 37)}..." is not an image hash`],
    ['a non-hex digit', `sha384:${HEX.slice(0, 95)}x`, `"sha384:${HEX.slice(0, 30)}..." is not an image hash`],
    ['another algorithm', `sha256:${HEX.slice(0, 64)}`, `"sha256:${HEX.slice(0, 30)}..." is not an image hash`],
    ['a prefix without hex', 'sha384:', '"sha384:" is not an image hash'],
    ['a space after the colon', `sha384: ${HEX}`, `"sha384: ${HEX.slice(0, 29)}..." is not an image hash`],
    ['a word', 'none', '"none" is not an image hash'],
  ])('rejects %s with E_HASH_FORMAT showing the expected format', (_name, text, start) => {
    const { code, detail } = errorOf(() => parseExpectedHash(text));
    expect(code).toBe('E_HASH_FORMAT');
    expect(detail).toBe(`${start}; expected sha384:<96 hexadecimal digits> (or the 96 digits alone), or "ignored" to skip the check`);
  });
});

describe('computeImageHash', () => {
  it('matches sha384sum over the exact metadata.json bytes', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cosiflash-hash-'));
    try {
      const bytes = Buffer.from(JSON.stringify(loadSample('valid', 'grub-simple.json')));
      const file = path.join(dir, 'metadata.json');
      writeFileSync(file, bytes);
      const expected = execFileSync('sha384sum', [file], { encoding: 'utf8' }).split(' ')[0];
      expect(computeImageHash(bytes)).toBe(expected);
      expect(computeImageHash(new Uint8Array(bytes))).toBe(expected);
      const sampleFile = path.join(SAMPLES_DIR, 'valid', 'grub-simple.json');
      const sampleHash = execFileSync('sha384sum', [sampleFile], { encoding: 'utf8' }).split(' ')[0];
      expect(computeImageHash(execFileSync('cat', [sampleFile]))).toBe(sampleHash);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is the known SHA-384 of empty input and lowercase 96 hex', () => {
    expect(computeImageHash(new Uint8Array())).toBe('38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b');
    expect(computeImageHash(Buffer.from('cosi'))).toMatch(/^[0-9a-f]{96}$/);
  });
});

describe('formatImageHash and assertImageHash', () => {
  it('formats as sha384:<lowercase hex> and round-trips through parseExpectedHash', () => {
    expect(formatImageHash(HEX.toUpperCase())).toBe(`sha384:${HEX}`);
    expect(parseExpectedHash(formatImageHash(HEX))).toBe(HEX);
  });

  it('passes on equal hashes (any case) and when no hash is expected', () => {
    expect(() => assertImageHash(HEX, HEX.toUpperCase())).not.toThrow();
    expect(() => assertImageHash(HEX, '')).not.toThrow();
  });

  it('fails with E_HASH_MISMATCH naming both hashes', () => {
    const other = 'f'.repeat(96);
    expect(errorOf(() => assertImageHash(HEX, other))).toEqual({
      code: 'E_HASH_MISMATCH',
      detail: `the image hash is sha384:${HEX} but sha384:${other} was expected`,
    });
  });
});
