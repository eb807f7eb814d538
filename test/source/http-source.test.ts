import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { openSource, type OpenSourceOptions } from '../../src/source/open-source.ts';
import type { RangeServerFaults } from '../support/range-server.ts';
import { collect, errorOf } from './source-fixtures.ts';
import { serveRandomImage } from './served-random-image.ts';

const KiB = 1024;
const MiB = 1024 * KiB;
const fast: OpenSourceOptions = { retryBaseDelayMs: 5, retryMaxDelayMs: 20, maxRetries: 2 };

describe('HTTP source against the range server', () => {
  const served = serveRandomImage({ sizeBytes: 2 * MiB + 17, openOptions: fast, addFiles: (fixtures) => fixtures.sparseFile('big.cosi', 64 * MiB) });

  it('probes with one HEAD, then reads exact ranges with If-Range carrying the strong ETag', async () => {
    const source = await served.open();
    expect(source.kind).toBe('http');
    expect(source.localPath).toBeNull();
    expect(source.sizeBytes).toBe(served.content.length);
    expect(await source.read(MiB + 3, 1000)).toEqual(served.content.subarray(MiB + 3, MiB + 1003));
    expect(await source.read(served.content.length - 5, 5)).toEqual(served.content.subarray(-5));
    const [head, first, second] = served.server.stats.requests;
    expect(head).toMatchObject({ method: 'HEAD', status: 200 });
    expect(first).toMatchObject({ method: 'GET', range: `bytes=${MiB + 3}-${MiB + 1002}`, status: 206 });
    expect(first?.ifRange).toMatch(/^"/);
    expect(second?.ifRange).toBe(first?.ifRange);
    expect(source.transferredBytes).toBe(1005);
    expect(served.server.stats.bytesSent).toBe(1005);
  });

  it('streams the whole file identical to the original', async () => {
    const source = await served.open();
    expect((await collect(source.stream(0, served.content.length))).equals(served.content)).toBe(true);
    expect(source.transferredBytes).toBe(served.content.length);
  });

  it('a few KiB of a 64 MiB file transfer only those KiB', async () => {
    const source = await served.open({}, '/big.cosi');
    expect(source.sizeBytes).toBe(64 * MiB);
    expect(await source.read(32 * MiB, 4 * KiB)).toEqual(Buffer.alloc(4 * KiB));
    expect(served.server.stats.bytesSent).toBe(4 * KiB);
    expect(source.transferredBytes).toBe(4 * KiB);
  });

  it('pins Last-Modified when the server has no strong ETag', async () => {
    served.server.setFaults({ weakEtag: true });
    const source = await served.open();
    await source.read(0, 10);
    const get = served.server.stats.requests.find((request) => request.method === 'GET');
    expect(get?.ifRange).toMatch(/GMT$/);
    expect(get?.status).toBe(206);
  });

  it('falls back to GET Range: bytes=0-0 when HEAD is refused (405)', async () => {
    served.server.setFaults({ rejectHead: true });
    const source = await served.open();
    expect(source.sizeBytes).toBe(served.content.length);
    expect(await source.read(100, 10)).toEqual(served.content.subarray(100, 110));
    expect(served.server.stats.requests.map((request) => [request.method, request.status])).toEqual([['HEAD', 405], ['GET', 206], ['GET', 206]]);
    expect(served.server.stats.requests[1]?.range).toBe('bytes=0-0');
  });

  it.each<[string, RangeServerFaults, number]>([
    ['403 on HEAD (S3 signed GET links)', { rejectHead: 403 }, 403],
    ['501 on HEAD', { rejectHead: 501 }, 501],
    ['HEAD without Content-Length', { headWithoutLength: true }, 200],
  ])('falls back to a ranged GET for %s', async (_name, faults, headStatus) => {
    served.server.setFaults(faults);
    const source = await served.open();
    expect(source.sizeBytes).toBe(served.content.length);
    expect(served.server.stats.requests.map((request) => [request.method, request.range, request.status])).toEqual([['HEAD', null, headStatus], ['GET', 'bytes=0-0', 206]]);
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
    served.server.setFaults(faults);
    const error = await errorOf(() => served.open());
    expect(error.code).toBe(code);
    expect(error.detail).toMatch(detail);
    expect(error.detail).toContain(served.server.url('/image.cosi'));
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
    const source = await served.open();
    served.server.setFaults(faults);
    const error = await errorOf(() => source.read(10, 10));
    expect(error.code).toBe(code);
    expect(error.detail).toMatch(detail);
    // The 200 answer is cut off: the whole file is never downloaded.
    expect(source.transferredBytes).toBeLessThan(served.content.length);
  });

  it('a read past the end of the file is E_HTTP_RANGE without asking the server', async () => {
    const source = await served.open();
    const error = await errorOf(() => source.read(served.content.length - 1, 2));
    expect(error.code).toBe('E_HTTP_RANGE');
    expect(served.server.stats.requests.filter((request) => request.method === 'GET')).toEqual([]);
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
