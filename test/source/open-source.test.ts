import { mkdir, symlink } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSource, parseLocation } from '../../src/source/open-source.ts';
import { createSourceFixtures, errorOf, type SourceFixtures } from './source-fixtures.ts';

describe('parseLocation', () => {
  it('resolves relative paths against the current directory', () => {
    expect(parseLocation('images/a.cosi')).toEqual({ kind: 'file', path: path.resolve('images/a.cosi'), location: path.resolve('images/a.cosi') });
  });

  it('percent-decodes file:// URLs', () => {
    expect(parseLocation('file:///tmp/my%20image.cosi')).toMatchObject({ kind: 'file', path: '/tmp/my image.cosi' });
  });

  it('keeps http(s) URLs', () => {
    expect(parseLocation('https://example.com/a%20b.cosi?sig=1')).toEqual({ kind: 'http', url: 'https://example.com/a%20b.cosi?sig=1' });
    expect(parseLocation('HTTP://Example.com/x')).toEqual({ kind: 'http', url: 'http://example.com/x' });
  });

  it('parses oci:// references (registry first, tag or digest, latest by default)', () => {
    expect(parseLocation('oci://registry.example/os:1')).toMatchObject({ kind: 'oci', location: 'oci://registry.example/os:1', reference: { registry: 'registry.example', repository: 'os', tag: '1', digest: null } });
    expect(parseLocation('oci://registry.example/os')).toMatchObject({ kind: 'oci', location: 'oci://registry.example/os:latest' });
  });

  it('refuses --plain-http for anything but an oci:// registry', async () => {
    const error = await errorOf(() => openSource('https://example.com/a.cosi', { plainHttp: true }));
    expect(error.code).toBe('E_INPUT');
    expect(error.detail).toMatch(/oci:\/\/ registries only/);
  });

  it.each([
    ['oci://registry.example', /names no repository/],
    ['oci://registry.example/OS:1', /repository "OS" is not valid/],
    ['ftp://example.com/a.cosi', /ftp:\/\/ locations are not supported/],
    ['gopher:whatever', /gopher:\/\/ locations are not supported/],
    ['', /No image location/],
    ['http://', /not a valid URL|no host/],
    ['file://otherhost/a.cosi', /file:\/\/ URL/],
  ])('rejects %j with E_URL', async (location, detail) => {
    const error = await errorOf(async () => parseLocation(location));
    expect(error.code).toBe('E_URL');
    expect(error.detail).toMatch(detail);
  });
});

describe('openSource on local files', () => {
  let fixtures: SourceFixtures;
  let content: Buffer;
  let spaced: string;
  beforeAll(async () => {
    fixtures = await createSourceFixtures();
    ({ content, path: spaced } = await fixtures.randomFile('my image.cosi', 100_000));
  });
  afterAll(() => fixtures.cleanup());

  it('opens a file:// URL with %20 for a space', async () => {
    const url = pathToFileURL(spaced).href;
    expect(url).toContain('my%20image.cosi');
    const source = await openSource(url);
    try {
      expect(source.kind).toBe('file');
      expect(source.location).toBe(url);
      expect(source.localPath).toBe(spaced);
      expect(source.sizeBytes).toBe(content.length);
      expect(await source.read(1000, 500)).toEqual(content.subarray(1000, 1500));
    } finally {
      await source.close();
    }
  });

  it('opens a relative path as an absolute one', async () => {
    const relative = path.relative(process.cwd(), spaced);
    const source = await openSource(relative);
    try {
      expect(source.location).toBe(spaced);
      expect(source.localPath).toBe(spaced);
    } finally {
      await source.close();
    }
  });

  it('reports the real path of a symlinked file as localPath', async () => {
    const link = path.join(fixtures.dir, 'link.cosi');
    await symlink(spaced, link);
    const source = await openSource(link);
    try {
      expect(source.location).toBe(link);
      expect(source.localPath).toBe(spaced);
    } finally {
      await source.close();
    }
  });

  it('E_FILE_NOT_FOUND for a missing file, naming it', async () => {
    const missing = path.join(fixtures.dir, 'nope.cosi');
    const error = await errorOf(() => openSource(missing));
    expect(error.code).toBe('E_FILE_NOT_FOUND');
    expect(error.detail).toContain(missing);
    expect((await errorOf(() => openSource(pathToFileURL(missing).href))).code).toBe('E_FILE_NOT_FOUND');
  });

  it('E_FILE_TYPE for a directory', async () => {
    const dir = path.join(fixtures.dir, 'a-dir');
    await mkdir(dir);
    const error = await errorOf(() => openSource(dir));
    expect(error.code).toBe('E_FILE_TYPE');
    expect(error.detail).toMatch(/directory/);
  });
});
