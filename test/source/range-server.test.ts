import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRangeServer, type RangeServer } from '../support/range-server.ts';

// The fault-injecting server is the yardstick of the HTTP tests: check it speaks HTTP ranges
// correctly (RFC 9110 §14) with a client that is not ours (fetch).
describe('range server (test support)', () => {
  let server: RangeServer;
  const body = Buffer.from('0123456789abcdefghij');
  beforeAll(async () => {
    server = await startRangeServer({ files: { '/a.bin': body } });
  });
  afterAll(() => server.close());

  const get = (headers: Record<string, string> = {}): Promise<Response> => fetch(server.url('/a.bin'), { headers });

  it('serves single ranges with 206 and Content-Range', async () => {
    for (const [range, expected, contentRange] of [
      ['bytes=2-5', '2345', 'bytes 2-5/20'],
      ['bytes=15-', 'fghij', 'bytes 15-19/20'],
      ['bytes=-3', 'hij', 'bytes 17-19/20'],
      ['bytes=18-100', 'ij', 'bytes 18-19/20'],
    ] as const) {
      const response = await get({ range });
      expect(response.status).toBe(206);
      expect(response.headers.get('content-range')).toBe(contentRange);
      expect(await response.text()).toBe(expected);
    }
  });

  it('416 with bytes */size for unsatisfiable ranges, 200 for invalid ones', async () => {
    const unsatisfiable = await get({ range: 'bytes=20-' });
    expect(unsatisfiable.status).toBe(416);
    expect(unsatisfiable.headers.get('content-range')).toBe('bytes */20');
    await unsatisfiable.text();
    const invalid = await get({ range: 'bytes=5-2' });
    expect(invalid.status).toBe(200);
    expect(await invalid.text()).toBe(body.toString());
  });

  it('HEAD has length, strong ETag, Last-Modified and Accept-Ranges; If-Range is honoured', async () => {
    const head = await fetch(server.url('/a.bin'), { method: 'HEAD' });
    expect(head.headers.get('content-length')).toBe('20');
    expect(head.headers.get('accept-ranges')).toBe('bytes');
    const etag = head.headers.get('etag') ?? '';
    expect(etag).toMatch(/^"[^"]+"$/);
    const lastModified = head.headers.get('last-modified') ?? '';
    expect((await get({ range: 'bytes=0-1', 'if-range': etag })).status).toBe(206);
    expect((await get({ range: 'bytes=0-1', 'if-range': lastModified })).status).toBe(206);
    const stale = await get({ range: 'bytes=0-1', 'if-range': '"other"' });
    expect(stale.status).toBe(200);
    expect(await stale.text()).toBe(body.toString());
  });

  it('counts requests and body bytes, and applies counted faults only so often', async () => {
    server.resetStats();
    server.setFaults({ status: 503, statusCount: 1 });
    expect((await get()).status).toBe(503);
    const ok = await get({ range: 'bytes=0-3' });
    expect(await ok.text()).toBe('0123');
    expect(server.stats.requests.map((request) => [request.method, request.range, request.status])).toEqual([['GET', null, 503], ['GET', 'bytes=0-3', 206]]);
    expect(server.stats.bytesSent).toBe(4);
    server.setFaults({});
  });
});
