import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTarIndex } from '../support/read-tar-index.ts';
import { bufferSource } from './buffer-source.ts';
import { padded, paxRecord, TAR_END, tarEntry, ustarHeader } from '../support/tar-craft.ts';

const entry = tarEntry;
const END = TAR_END;

describe('readTarIndex on archives made by GNU tar', () => {
  let workDir: string;
  const longDir = `images/${'deep-folder-name/'.repeat(6)}`;
  beforeAll(async () => {
    workDir = await mkdtemp(path.join(tmpdir(), 'tar-index-'));
    await mkdir(path.join(workDir, 'src', longDir), { recursive: true });
    await writeFile(path.join(workDir, 'src', 'cosi-marker'), '');
    await writeFile(path.join(workDir, 'src', 'metadata.json'), '{"version":"1.2"}');
    await writeFile(path.join(workDir, 'src', longDir, 'a-partition-image-with-a-long-name.rawzst'), Buffer.alloc(70_000, 7));
  });
  afterAll(async () => rm(workDir, { recursive: true, force: true }));

  for (const format of ['gnu', 'posix', 'ustar'] as const) {
    it(`lists entries, offsets and sizes of a --format=${format} archive with a long path`, async () => {
      const tarPath = path.join(workDir, `${format}.tar`);
      const longPath = `${longDir}a-partition-image-with-a-long-name.rawzst`;
      execFileSync('tar', [`--format=${format}`, '-cf', tarPath, '-C', path.join(workDir, 'src'), 'cosi-marker', 'metadata.json', longPath]);
      const bytes = await readFile(tarPath);
      const entries = await readTarIndex(bufferSource(bytes));
      expect(entries.map((e) => [e.path, e.sizeBytes, e.type])).toEqual([
        ['cosi-marker', 0, 'file'],
        ['metadata.json', 17, 'file'],
        [longPath, 70_000, 'file'],
      ]);
      const metadata = entries[1]!;
      expect(bytes.subarray(metadata.offsetBytes, metadata.offsetBytes + metadata.sizeBytes).toString()).toBe('{"version":"1.2"}');
      const image = entries[2]!;
      expect(bytes.subarray(image.offsetBytes, image.offsetBytes + image.sizeBytes).equals(Buffer.alloc(70_000, 7))).toBe(true);
      expect(image.headerOffsetBytes).toBeLessThan(image.offsetBytes - 512 + 1);
    });
  }

  it('removes ./ prefixes and keeps directories as entries', async () => {
    const tarPath = path.join(workDir, 'dot.tar');
    execFileSync('tar', ['-cf', tarPath, '-C', path.join(workDir, 'src'), './cosi-marker', './metadata.json', './images']);
    const entries = await readTarIndex(bufferSource(await readFile(tarPath)));
    expect(entries.map((e) => e.path).slice(0, 3)).toEqual(['cosi-marker', 'metadata.json', 'images']);
    expect(entries[2]!.type).toBe('directory');
  });
});

describe('readTarIndex on crafted archives', () => {
  it('applies PAX path and size overrides', async () => {
    const data = Buffer.from('hello world');
    const pax = Buffer.from(paxRecord('path', 'images/from-pax.rawzst') + paxRecord('size', String(data.length)));
    const bytes = Buffer.concat([ustarHeader('PaxHeaders/x', pax.length, 'x'), padded(pax), ustarHeader('short-name', 0), padded(data), END]);
    const entries = await readTarIndex(bufferSource(bytes));
    expect(entries).toEqual([{ path: 'images/from-pax.rawzst', offsetBytes: 1024 + 512, sizeBytes: 11, headerOffsetBytes: 0, type: 'file' }]);
  });

  it('uses a GNU long name (type L) for the next entry only', async () => {
    const longName = Buffer.from(`images/${'x'.repeat(150)}\0`);
    const bytes = Buffer.concat([ustarHeader('././@LongLink', longName.length, 'L'), padded(longName), entry('ignored', Buffer.from('ab')), entry('next', Buffer.from('c')), END]);
    const entries = await readTarIndex(bufferSource(bytes));
    expect(entries.map((e) => e.path)).toEqual([`images/${'x'.repeat(150)}`, 'next']);
  });

  it('stops at the first all-zero block and ignores trailing data', async () => {
    const bytes = Buffer.concat([entry('a', Buffer.from('1')), END, Buffer.from('<html>trailing junk that is not a header</html>'.repeat(40))]);
    expect((await readTarIndex(bufferSource(bytes))).map((e) => e.path)).toEqual(['a']);
  });

  it('rejects a wrong header checksum with its offset', async () => {
    const bytes = Buffer.concat([entry('a', Buffer.from('1')), entry('b', Buffer.from('2')), END]);
    bytes[1024 + 10] = 0x41;
    await expect(readTarIndex(bufferSource(bytes))).rejects.toMatchObject({ code: 'E_TAR_INVALID', detail: 'invalid tar header checksum at offset 1024' });
  });

  it('rejects a truncated archive', async () => {
    const bytes = Buffer.concat([entry('a', Buffer.from('1')), entry('b', Buffer.alloc(5000))]);
    await expect(readTarIndex(bufferSource(bytes.subarray(0, 3000)))).rejects.toMatchObject({ code: 'E_TAR_INVALID', detail: expect.stringContaining('truncated') });
    await expect(readTarIndex(bufferSource(bytes.subarray(0, 800)))).rejects.toMatchObject({ code: 'E_TAR_INVALID', detail: expect.stringContaining('truncated') });
  });

  it('rejects duplicate paths (after ./ normalisation)', async () => {
    const bytes = Buffer.concat([entry('metadata.json', Buffer.from('{}')), entry('./metadata.json', Buffer.from('{}')), END]);
    await expect(readTarIndex(bufferSource(bytes))).rejects.toMatchObject({ code: 'E_TAR_INVALID', detail: 'duplicate entry "metadata.json" at offset 1024' });
  });

  it('says E_HTML_PAGE for a web page, E_NOT_COSI for random bytes and tiny files', async () => {
    const html = Buffer.from(`\n  <!DOCTYPE html><html><body>${'Not found. '.repeat(100)}</body></html>`);
    await expect(readTarIndex(bufferSource(html))).rejects.toMatchObject({ code: 'E_HTML_PAGE', detail: expect.stringContaining('web page') });
    const random = Buffer.alloc(4096);
    for (let i = 0; i < random.length; i += 1) random[i] = (i * 7919 + 13) & 0xff;
    await expect(readTarIndex(bufferSource(random))).rejects.toMatchObject({ code: 'E_NOT_COSI' });
    await expect(readTarIndex(bufferSource(Buffer.from('tiny')))).rejects.toMatchObject({ code: 'E_NOT_COSI' });
  });

  it('reads many small headers with one request and skips big bodies', async () => {
    const small = Array.from({ length: 20 }, (_, i) => entry(`f${i}`, Buffer.alloc(100, i)));
    const bytes = Buffer.concat([...small, entry('big', Buffer.alloc(4 * 1024 * 1024)), entry('after', Buffer.from('z')), END]);
    const source = bufferSource(bytes);
    const entries = await readTarIndex(source);
    expect(entries).toHaveLength(22);
    expect(source.reads).toBe(2);
    expect(source.transferredBytes).toBeLessThan(200 * 1024);
  });

  it('stops after the entry stopAfter selects', async () => {
    const bytes = Buffer.concat([entry('a', Buffer.from('1')), entry('b', Buffer.from('2')), entry('c', Buffer.from('3')), END]);
    const entries = await readTarIndex(bufferSource(bytes), { stopAfter: (e) => e.path === 'b' });
    expect(entries.map((e) => e.path)).toEqual(['a', 'b']);
  });
});
