/**
 * The HTTP source behind the fault-injecting proxy (test/support/fault-proxy.ts) in front of
 * the real range server: every fault ends byte-exact or as a specific error, in bounded time.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ImageSource, RetryEvent } from '../../src/source/image-source.ts';
import { openSource, type OpenSourceOptions } from '../../src/source/open-source.ts';
import { seededOffsets, startFaultProxy, type FaultProxy } from '../support/fault-proxy.ts';
import { startRangeServer, type RangeServer } from '../support/range-server.ts';
import { collect, createSourceFixtures, errorOf, sha256, type SourceFixtures } from './source-fixtures.ts';

const MiB = 1024 * 1024;
// Short timeouts and windows keep the suite quick; nothing below asserts on speed.
const fast: OpenSourceOptions = { retryBaseDelayMs: 5, retryMaxDelayMs: 200, maxRetries: 4, idleTimeoutMs: 400, retryForMs: 10_000, minRateBytesPerSecond: 0 };

describe('HTTP source through a fault-injecting proxy', () => {
  let fixtures: SourceFixtures;
  let server: RangeServer;
  let proxy: FaultProxy;
  let content: Buffer;
  const opened: ImageSource[] = [];
  const open = async (options: OpenSourceOptions = fast): Promise<ImageSource> => {
    const source = await openSource(proxy.url('image.cosi'), options);
    opened.push(source);
    return source;
  };

  beforeAll(async () => {
    fixtures = await createSourceFixtures();
    ({ content } = await fixtures.randomFile('image.cosi', 3 * MiB + 11));
    server = await startRangeServer({ root: fixtures.dir });
    proxy = await startFaultProxy({ port: server.port });
  });
  afterEach(async () => {
    proxy.setPlan({});
    for (const source of opened.splice(0)) await source.close();
  });
  afterAll(async () => {
    await proxy.close();
    await server.close();
    await fixtures.cleanup();
  });

  it('resets at seeded random offsets: identical bytes, one resume per reset', async () => {
    const source = await open();
    const offsets = seededOffsets(20261202, 6, 400_000).map((offset) => offset + 1);
    proxy.setPlan({ resetAtBytes: offsets });
    const retries: RetryEvent[] = [];
    const bytes = await collect(source.stream(0, content.length, { onRetry: (event) => retries.push(event) }));
    expect(sha256(bytes)).toBe(sha256(content));
    expect(retries).toHaveLength(offsets.length);
    expect(retries.every((event) => event.kind === 'dropped' && event.unreachableMs === null)).toBe(true);
    // Each resume starts where the previous answer was cut: never before the bytes already
    // received, never past the planned reset (a TCP reset may discard bytes still in flight).
    let planned = 0;
    let previous = 0;
    for (const [index, offset] of offsets.entries()) {
      planned += offset;
      const at = retries[index]?.offsetBytes ?? -1;
      expect(at).toBeGreaterThanOrEqual(previous);
      expect(at).toBeLessThanOrEqual(planned);
      previous = at;
      planned = at;
    }
  });

  it('a stall longer than the idle timeout is retried: identical bytes', async () => {
    const source = await open();
    proxy.setPlan({ stallAfterBytes: 700_000, stallMs: 3_000, stallCount: 1 });
    const retries: RetryEvent[] = [];
    const bytes = await collect(source.stream(0, content.length, { onRetry: (event) => retries.push(event) }));
    expect(sha256(bytes)).toBe(sha256(content));
    expect(retries.map((event) => [event.kind, event.offsetBytes])).toEqual([['timeout', 700_000]]);
  });

  it('a trickle under the minimum rate is dropped and resumed: identical bytes', async () => {
    // 2 000 bytes every 50 ms (~40 kB/s) is under the 200 kB/s minimum over a 0.5 s window.
    const source = await open({ ...fast, minRateBytesPerSecond: 200_000, minRateWindowMs: 500 });
    proxy.setPlan({ trickle: { bytes: 2_000, intervalMs: 50, count: 1 } });
    const retries: RetryEvent[] = [];
    const bytes = await collect(source.stream(0, content.length, { onRetry: (event) => retries.push(event) }));
    expect(sha256(bytes)).toBe(sha256(content));
    expect(retries).toHaveLength(1);
    expect(retries[0]?.reason).toMatch(/sent only \d+ bytes in [\d.]+ s \(less than 200000 bytes\/s\)/);
  });

  it('a trickle that never speeds up ends as E_TIMEOUT naming the rate', async () => {
    const source = await open({ ...fast, maxRetries: 2, minRateBytesPerSecond: 200_000, minRateWindowMs: 300 });
    proxy.setPlan({ trickle: { bytes: 1_000, intervalMs: 50 } });
    const error = await errorOf(() => collect(source.stream(0, content.length)));
    expect(error.code).toBe('E_TIMEOUT');
    expect(error.detail).toMatch(/sent only/);
  });

  it('a burst of 5xx answers, then recovery: identical bytes', async () => {
    const source = await open();
    proxy.setPlan({ statusBurst: { status: 502, count: 3 } });
    const retries: RetryEvent[] = [];
    const bytes = await collect(source.stream(0, content.length, { onRetry: (event) => retries.push(event) }));
    expect(sha256(bytes)).toBe(sha256(content));
    expect(retries.map((event) => event.kind)).toEqual(['server', 'server', 'server']);
  });

  it('the server away for 2 s mid-stream: retried for time, not count; identical bytes', async () => {
    const source = await open({ ...fast, maxRetries: 1 });
    const retries: RetryEvent[] = [];
    const received: Buffer[] = [];
    let away: Promise<void> | null = null;
    let seen = 0;
    for await (const chunk of source.stream(0, content.length, { onRetry: (event) => retries.push(event) })) {
      received.push(chunk);
      seen += chunk.length;
      if (away === null && seen >= MiB) away = proxy.goAway(2_000);
    }
    await away;
    expect(sha256(Buffer.concat(received))).toBe(sha256(content));
    const unreachable = retries.filter((event) => event.unreachableMs !== null);
    // Far more refused attempts than maxRetries (1): the time budget applied.
    expect(unreachable.length).toBeGreaterThan(1);
    expect(unreachable.every((event) => event.kind === 'refused' && event.retryForMs === 10_000)).toBe(true);
    expect(Math.max(...unreachable.map((event) => event.unreachableMs ?? 0))).toBeGreaterThan(500);
  });

  it('the server away longer than retryForMs: E_CONNECT after the time budget', async () => {
    const source = await open({ ...fast, retryForMs: 800 });
    const retries: RetryEvent[] = [];
    let away: Promise<void> | null = null;
    const error = await errorOf(async () => {
      let seen = 0;
      for await (const chunk of source.stream(0, content.length, { onRetry: (event) => retries.push(event) })) {
        seen += chunk.length;
        if (away === null && seen >= MiB) away = proxy.goAway(4_000);
      }
    });
    await away;
    expect(error.code).toBe('E_CONNECT');
    expect(error.detail).toMatch(/attempts over 0\.[89] s|attempts over 1(\.\d)? s/);
    expect(error.hint).toMatch(/--retry-for/);
    expect(retries.filter((event) => event.unreachableMs !== null).length).toBeGreaterThan(1);
  });

  it('refused while opening stays a quick E_CONNECT (the URL is most likely wrong)', async () => {
    const away = proxy.goAway(1_500);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const error = await errorOf(() => open());
    await away;
    expect(error.code).toBe('E_CONNECT');
    expect(error.detail).toMatch(/refused/);
  });

  it('a Content-Range that lies is E_HTTP_RANGE_IGNORED, no spliced bytes', async () => {
    const source = await open();
    proxy.setPlan({ contentRangeLie: { count: 1 } });
    const error = await errorOf(() => collect(source.stream(1000, 5000)));
    expect(error.code).toBe('E_HTTP_RANGE_IGNORED');
    expect(error.detail).toMatch(/bytes 1001-6000/);
  });

  it('200 for a ranged request is E_HTTP_RANGE_IGNORED', async () => {
    const source = await open();
    proxy.setPlan({ rangeAs200: { count: 1 } });
    const error = await errorOf(() => collect(source.stream(1000, 5000)));
    expect(error.code).toBe('E_HTTP_RANGE_IGNORED');
    expect(error.detail).toMatch(/HTTP 200/);
  });

  it('a redirect loop is E_HTTP_REDIRECT at once, not E_CONNECT after retries', async () => {
    proxy.setPlan({ redirectLoop: true });
    const retries: RetryEvent[] = [];
    const error = await errorOf(() => open({ ...fast, onRetry: (event) => retries.push(event) }));
    expect(error.code).toBe('E_HTTP_REDIRECT');
    expect(error.detail).toMatch(/redirects in a loop/);
    expect(retries).toEqual([]);
  });
});
