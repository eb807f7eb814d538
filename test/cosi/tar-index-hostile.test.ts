/**
 * Hostile tar headers (issue 9 §4, issue 7 §4): each is rejected with E_TAR_INVALID naming the
 * member, quickly (the per-test timeout is the bound: a loop on the same header would hang),
 * and without reading the claimed body.
 */
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_TAR_ENTRIES, MAX_TAR_METADATA_BODY_BYTES } from '../../src/cosi/tar-index.ts';
import { readTarIndex } from '../support/read-tar-index.ts';
import { openFileSource } from '../../src/source/file-source.ts';
import { base256SizeField, padded, paxRecord, TAR_END, tarEntry, ustarHeader } from '../support/tar-craft.ts';
import { bufferSource } from './buffer-source.ts';

const BOUND_MS = 5000;
const METADATA_TYPES = [
  ['x', 'pax-header'],
  ['g', 'pax-global-header'],
  ['L', 'gnu-long-path'],
  ['K', 'gnu-long-link-path'],
] as const;

function archive(...parts: Buffer[]): Buffer {
  return Buffer.concat([tarEntry('cosi-marker', Buffer.alloc(0)), ...parts, tarEntry('metadata.json', Buffer.from('{}')), TAR_END, Buffer.alloc(8192)]);
}

describe('readTarIndex refuses hostile size fields', () => {
  for (const [flag, type] of [...METADATA_TYPES, ['0', 'file']] as const) {
    it(`a base-256 size of -512 in a ${type} header (used to loop forever)`, { timeout: BOUND_MS }, async () => {
      const bytes = archive(ustarHeader('evil', 0, flag, { sizeField: base256SizeField(-512n) }));
      await expect(readTarIndex(bufferSource(bytes))).rejects.toMatchObject({ code: 'E_TAR_INVALID', detail: expect.stringMatching(/"evil" at offset 512 has a negative size \(-512\)/) });
    });

    it(`a size field that is not a number in a ${type} header`, { timeout: BOUND_MS }, async () => {
      const bytes = archive(ustarHeader('nan', 0, flag, { sizeField: Buffer.from('zzzzzzzzzzz\0') }));
      await expect(readTarIndex(bufferSource(bytes))).rejects.toMatchObject({ code: 'E_TAR_INVALID', detail: expect.stringContaining('"nan" at offset 512 has a size field that is not a number') });
    });

    it(`an out-of-range base-256 size in a ${type} header`, { timeout: BOUND_MS }, async () => {
      const bytes = archive(ustarHeader('huge', 0, flag, { sizeField: base256SizeField(1n << 80n) }));
      await expect(readTarIndex(bufferSource(bytes))).rejects.toMatchObject({ code: 'E_TAR_INVALID', detail: expect.stringContaining('"huge" at offset 512 has an out-of-range size') });
    });
  }

  it('a member whose size cannot fit the file', { timeout: BOUND_MS }, async () => {
    const bytes = archive(ustarHeader('images/big.rawzst', 1024 ** 3));
    await expect(readTarIndex(bufferSource(bytes))).rejects.toMatchObject({ code: 'E_TAR_INVALID', detail: expect.stringMatching(/entry "images\/big.rawzst" at offset 512 claims 1073741824 bytes of data but the file ends \d+ bytes after its header/) });
  });

  it('a negative PAX size record', { timeout: BOUND_MS }, async () => {
    const pax = Buffer.from(paxRecord('size', '-512'));
    const bytes = archive(ustarHeader('PaxHeaders/a', pax.length, 'x'), padded(pax), tarEntry('a', Buffer.from('1')));
    await expect(readTarIndex(bufferSource(bytes))).rejects.toMatchObject({ code: 'E_TAR_INVALID', detail: expect.stringContaining('invalid PAX size "-512"') });
  });

  for (const [name, body] of [
    ['a negative record length', '-5 a=b\n'],
    ['a record length past the body', '99 path=x\n'],
    ['a record without "="', '9 pathx\n\n'],
    ['a record not ending in a newline', '10 path=xy'],
    ['garbage after the records', `${paxRecord('path', 'x')}junk`],
  ] as const) {
    it(`malformed PAX records: ${name}`, { timeout: BOUND_MS }, async () => {
      const pax = Buffer.from(body);
      const bytes = archive(ustarHeader('PaxHeaders/m', pax.length, 'x'), padded(pax), tarEntry('m', Buffer.from('1')));
      await expect(readTarIndex(bufferSource(bytes))).rejects.toMatchObject({ code: 'E_TAR_INVALID', detail: 'pax-header member "PaxHeaders/m" at offset 512 has malformed PAX records' });
    });
  }

  it(`more than ${MAX_TAR_ENTRIES} entries`, { timeout: 20_000 }, async () => {
    const blocks = Array.from({ length: MAX_TAR_ENTRIES + 1 }, (_, i) => ustarHeader(`f${i}`, 0));
    const bytes = Buffer.concat([...blocks, TAR_END]);
    await expect(readTarIndex(bufferSource(bytes))).rejects.toMatchObject({ code: 'E_TAR_INVALID', detail: expect.stringContaining(`more than ${MAX_TAR_ENTRIES} entries`) });
  });
});

describe('readTarIndex caps tar metadata bodies', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'tar-hostile-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  for (const [flag, type] of METADATA_TYPES) {
    it(`a ${type} header claiming a 1 GiB body, in a sparse file that has room for it`, { timeout: BOUND_MS }, async () => {
      const file = path.join(dir, `${type}.tar`);
      const handle = await open(file, 'w');
      try {
        await handle.write(Buffer.concat([tarEntry('cosi-marker', Buffer.alloc(0)), ustarHeader('big-metadata', 1024 ** 3, flag)]), 0, undefined, 0);
        await handle.truncate(1024 ** 3 + 16 * 1024);
      } finally {
        await handle.close();
      }
      const source = await openFileSource(file, { location: file });
      try {
        const before = process.memoryUsage().rss;
        await expect(readTarIndex(source)).rejects.toMatchObject({
          code: 'E_TAR_INVALID',
          detail: `${type} member "big-metadata" at offset 512 has a 1073741824-byte body, more than the ${MAX_TAR_METADATA_BODY_BYTES}-byte limit for tar metadata`,
        });
        expect(source.transferredBytes).toBeLessThan(1024 * 1024);
        expect(process.memoryUsage().rss - before).toBeLessThan(256 * 1024 * 1024);
      } finally {
        await source.close();
      }
    });
  }

  it('accepts a PAX body of exactly the limit', { timeout: BOUND_MS }, async () => {
    const filler = paxRecord('comment', 'c'.repeat(MAX_TAR_METADATA_BODY_BYTES - 40));
    const pax = Buffer.from(filler);
    const padding = MAX_TAR_METADATA_BODY_BYTES - pax.length;
    const body = Buffer.concat([pax, Buffer.alloc(padding)]);
    expect(body.length).toBe(MAX_TAR_METADATA_BODY_BYTES);
    const bytes = Buffer.concat([ustarHeader('PaxHeaders/ok', body.length, 'x'), padded(body), tarEntry('ok', Buffer.from('1')), TAR_END]);
    expect((await readTarIndex(bufferSource(bytes))).map((e) => e.path)).toEqual(['ok']);
  });
});
