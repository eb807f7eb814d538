import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ImageSource } from '../../src/source/image-source.ts';
import { openSource, type OpenSourceOptions } from '../../src/source/open-source.ts';
import { startRangeServer, type RangeServer, type RangeServerFaults } from '../support/range-server.ts';
import { collect, createSourceFixtures, errorOf, type SourceFixtures } from './source-fixtures.ts';

const KiB = 1024;
const MiB = 1024 * KiB;
const fast: OpenSourceOptions = { retryBaseDelayMs: 5, retryMaxDelayMs: 20, maxRetries: 2 };

describe('HTTP source against the range server', () => {
  let fixtures: SourceFixtures;
  let server: RangeServer;
  let content: Buffer;
  const opened: ImageSource[] = [];
  const open = async (options: OpenSourceOptions = fast): Promise<ImageSource> => {
    const source = await openSource(server.url('/image.cosi'), options);
    opened.push(source);
    return source;
  };

  beforeAll(async () => {
    fixtures = await createSourceFixtures();
    ({ content } = await fixtures.randomFile('image.cosi', 2 * MiB + 17));
    await fixtures.sparseFile('big.cosi', 64 * MiB);
    server = await startRangeServer({ root: fixtures.dir });
  });
  afterEach(async () => {
    server.setFaults({});
    server.resetStats();
    for (const source of opened.splice(0)) await source.close();
  });
  afterAll(async () => {
    await server?.close();
    await fixtures?.cleanup();
  });

  it('probes with one HEAD, then reads exact ranges with If-Range carrying the strong ETag', async () => {
    const source = await open();
    expect(source.kind).toBe('http');
    expect(source.localPath).toBeNull();
    expect(source.sizeBytes).toBe(content.length);
    expect(await source.read(MiB + 3, 1000)).toEqual(content.subarray(MiB + 3, MiB + 1003));
    expect(await source.read(content.length - 5, 5)).toEqual(content.subarray(-5));
    const [head, first, second] = server.stats.requests;
    expect(head).toMatchObject({ method: 'HEAD', status: 200 });
    expect(first).toMatchObject({ method: 'GET', range: `bytes=${MiB + 3}-${MiB + 1002}`, status: 206 });
    expect(first?.ifRange).toMatch(/^"/);
    expect(second?.ifRange).toBe(first?.ifRange);
    expect(source.transferredBytes).toBe(1005);
    expect(server.stats.bytesSent).toBe(1005);
  });

  it('streams the whole file identical to the original', async () => {
    const source = await open();
    expect((await collect(source.stream(0, content.length))).equals(content)).toBe(true);
    expect(source.transferredBytes).toBe(content.length);
  });

  it('a few KiB of a 64 MiB file transfer only those KiB', async () => {
    const source = await openSource(server.url('/big.cosi'));
    opened.push(source);
    expect(source.sizeBytes).toBe(64 * MiB);
    expect(await source.read(32 * MiB, 4 * KiB)).toEqual(Buffer.alloc(4 * KiB));
    expect(server.stats.bytesSent).toBe(4 * KiB);
    expect(source.transferredBytes).toBe(4 * KiB);
  });

  it('pins Last-Modified when the server has no strong ETag', async () => {
    server.setFaults({ weakEtag: true });
    const source = await open();
    await source.read(0, 10);
    const get = server.stats.requests.find((request) => request.method === 'GET');
    expect(get?.ifRange).toMatch(/GMT$/);
    expect(get?.status).toBe(206);
  });

  it('falls back to GET Range: bytes=0-0 when HEAD is refused (405)', async () => {
    server.setFaults({ rejectHead: true });
    const source = await open();
    expect(source.sizeBytes).toBe(content.length);
    expect(await source.read(100, 10)).toEqual(content.subarray(100, 110));
    expect(server.stats.requests.map((request) => [request.method, request.status])).toEqual([['HEAD', 405], ['GET', 206], ['GET', 206]]);
    expect(server.stats.requests[1]?.range).toBe('bytes=0-0');
  });

  it.each<[string, RangeServerFaults, number]>([
    ['403 on HEAD (S3 signed GET links)', { rejectHead: 403 }, 403],
    ['501 on HEAD', { rejectHead: 501 }, 501],
    ['HEAD without Content-Length', { headWithoutLength: true }, 200],
  ])('falls back to a ranged GET for %s', async (_name, faults, headStatus) => {
    server.setFaults(faults);
    const source = await open();
    expect(source.sizeBytes).toBe(content.length);
    expect(server.stats.requests.map((request) => [request.method, request.range, request.status])).toEqual([['HEAD', null, headStatus], ['GET', 'bytes=0-0', 206]]);
    expect(source.transferredBytes).toBe(1);
  });

  it.each<[string, RangeServerFaults, string, RegExp]>([
    ['no range support', { noAcceptRanges: true }, 'E_HTTP_NO_RANGES', /whole file/],
    ['Accept-Ranges: none', { acceptRangesNone: true }, 'E_HTTP_NO_RANGES', /Accept-Ranges: none/],
    ['404', { status: 404 }, 'E_HTTP_NOT_FOUND', /404/],
    ['401', { status: 401 }, 'E_HTTP_AUTH', /401/],
    ['403 (also on the fallback GET)', { status: 403 }, 'E_HTTP_AUTH', /403/],
    ['418', { status: 418 }, 'E_HTTP_STATUS', /418/],
    ['503 that never stops', { status: 503 }, 'E_HTTP_SERVER', /503/],
  ])('opening: %s → %s', async (_name, faults, code, detail) => {
    server.setFaults(faults);
    const error = await errorOf(() => open());
    expect(error.code).toBe(code);
    expect(error.detail).toMatch(detail);
    expect(error.detail).toContain(server.url('/image.cosi'));
  });

  it.each<[string, RangeServerFaults, string, RegExp]>([
    ['200 with the whole body to a ranged request', { ignoreRange: true }, 'E_HTTP_RANGE_IGNORED', /whole file \(HTTP 200\)/],
    ['a Content-Range that does not match the request', { wrongContentRange: true }, 'E_HTTP_RANGE_IGNORED', /Content-Range: bytes 9-18\//],
    ['a changed ETag', { changeEtagAfterRequests: 0 }, 'E_SOURCE_CHANGED', /ETag was/],
    ['404', { status: 404 }, 'E_HTTP_NOT_FOUND', /404/],
    ['403', { status: 403 }, 'E_HTTP_AUTH', /403/],
    ['416', { status: 416 }, 'E_HTTP_RANGE', /416/],
    ['5xx after the retries', { status: 500 }, 'E_HTTP_SERVER', /500 Internal Server Error \(3 attempts, at byte 10/],
  ])('reading: %s → %s', async (_name, faults, code, detail) => {
    const source = await open();
    server.setFaults(faults);
    const error = await errorOf(() => source.read(10, 10));
    expect(error.code).toBe(code);
    expect(error.detail).toMatch(detail);
    // The 200 answer is cut off: the whole file is never downloaded.
    expect(source.transferredBytes).toBeLessThan(content.length);
  });

  it('a read past the end of the file is E_HTTP_RANGE without asking the server', async () => {
    const source = await open();
    const error = await errorOf(() => source.read(content.length - 1, 2));
    expect(error.code).toBe('E_HTTP_RANGE');
    expect(server.stats.requests.filter((request) => request.method === 'GET')).toEqual([]);
  });

  it('a refused connection is E_CONNECT after a couple of retries', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const retries: string[] = [];
    const error = await errorOf(() => openSource(`http://127.0.0.1:${port}/image.cosi`, { ...fast, maxRetries: 6, onRetry: (event) => retries.push(event.reason) }));
    expect(error.code).toBe('E_CONNECT');
    expect(error.detail).toMatch(/refused/);
    expect(retries).toHaveLength(2);
  });

  it('a host name that does not exist is E_CONNECT', async () => {
    const error = await errorOf(() => openSource('http://cosiflash-test.invalid/image.cosi', fast));
    expect(error.code).toBe('E_CONNECT');
    expect(error.detail).toContain('cosiflash-test.invalid');
  });
});
