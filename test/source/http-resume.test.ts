import { describe, expect, it } from 'vitest';
import { CosiflashError } from '../../src/errors.ts';
import type { RetryEvent } from '../../src/source/image-source.ts';
import type { OpenSourceOptions } from '../../src/source/open-source.ts';
import { collect, errorOf, sha256 } from './source-fixtures.ts';
import { serveRandomImage } from './served-random-image.ts';

const MiB = 1024 * 1024;
// Small timeouts and delays keep the suite quick; nothing below asserts on time.
const fast: OpenSourceOptions = { retryBaseDelayMs: 5, retryMaxDelayMs: 20, maxRetries: 3, idleTimeoutMs: 300 };

describe('HTTP stream() resumes from the exact next byte', () => {
  const served = serveRandomImage({ sizeBytes: 4 * MiB + 5, openOptions: fast });

  it('after dropped connections: identical bytes, onRetry told where it resumed', async () => {
    const source = await served.open();
    served.server.setFaults({ dropAfterBytes: 300_000, dropCount: 4 });
    const retries: RetryEvent[] = [];
    const bytes = await collect(source.stream(1000, served.content.length - 1000, { onRetry: (event) => retries.push(event) }));
    expect(sha256(bytes)).toBe(sha256(served.content.subarray(1000)));
    // Each drop cost one retry, and each resume asked for the exact next byte to the same end.
    expect(retries.map((event) => event.offsetBytes)).toEqual([301_000, 601_000, 901_000, 1_201_000]);
    expect(retries.every((event) => event.attempt === 1 && event.delayMs >= 0 && event.reason.length > 0)).toBe(true);
    const ranges = served.server.stats.requests.filter((request) => request.method === 'GET').map((request) => request.range);
    expect(ranges).toEqual([1000, 301_000, 601_000, 901_000, 1_201_000].map((start) => `bytes=${start}-${served.content.length - 1}`));
    expect(source.transferredBytes).toBeGreaterThanOrEqual(served.content.length - 1000);
    expect(source.transferredBytes).toBeLessThanOrEqual(served.server.stats.bytesSent);
  });

  it('gives up after maxRetries drops without progress', async () => {
    const source = await served.open();
    served.server.setFaults({ dropAfterBytes: 0 });
    const retries: RetryEvent[] = [];
    const error = await errorOf(() => collect(source.stream(0, MiB, { onRetry: (event) => retries.push(event) })));
    expect(error.code).toBe('E_CONNECT');
    expect(error.detail).toMatch(/kept failing/);
    expect(retries.map((event) => event.attempt)).toEqual([1, 2, 3]);
  });

  it('after a stall longer than the idle timeout: retried, identical bytes', async () => {
    const source = await served.open();
    served.server.setFaults({ stallAfterBytes: 500_000, stallMs: 5_000, stallCount: 1 });
    const retries: RetryEvent[] = [];
    const bytes = await collect(source.stream(0, served.content.length, { onRetry: (event) => retries.push(event) }));
    expect(sha256(bytes)).toBe(sha256(served.content));
    expect(retries).toHaveLength(1);
    expect(retries[0]?.offsetBytes).toBe(500_000);
    expect(retries[0]?.reason).toMatch(/sent nothing for 0.3 s/);
  });

  it('E_TIMEOUT when the server keeps stalling', async () => {
    const source = await served.open({ ...fast, maxRetries: 2 });
    served.server.setFaults({ stallAfterBytes: 1000 });
    const retries: RetryEvent[] = [];
    const error = await errorOf(() => collect(source.stream(0, served.content.length, { onRetry: (event) => retries.push(event) })));
    expect(error.code).toBe('E_TIMEOUT');
    // 1000 bytes per attempt is not enough progress to restore the budget.
    expect(retries.map((event) => [event.attempt, event.offsetBytes])).toEqual([[1, 1000], [2, 2000]]);
    expect(error.detail).toMatch(/sent nothing for 0.3 s \(3 attempts, at byte 3000\)/);
  });

  it('a burst of 503s, then recovery: success', async () => {
    const source = await served.open();
    served.server.setFaults({ status: 503, statusCount: 3 });
    const retries: RetryEvent[] = [];
    const bytes = await collect(source.stream(0, served.content.length, { onRetry: (event) => retries.push(event) }));
    expect(bytes.equals(served.content)).toBe(true);
    expect(retries.map((event) => event.attempt)).toEqual([1, 2, 3]);
    expect(retries[0]?.reason).toMatch(/503/);
  });

  it('a file replaced mid-way (new ETag on the resume) is E_SOURCE_CHANGED, not spliced bytes', async () => {
    const source = await served.open();
    served.server.setFaults({ dropAfterBytes: 200_000, dropCount: 1, changeEtagAfterRequests: 1 });
    const received: Buffer[] = [];
    const error = await errorOf(async () => {
      for await (const chunk of source.stream(0, served.content.length)) received.push(chunk);
    });
    expect(error.code).toBe('E_SOURCE_CHANGED');
    expect(Buffer.concat(received).equals(served.content.subarray(0, 200_000))).toBe(true);
    const resume = served.server.stats.requests.filter((request) => request.method === 'GET')[1];
    expect(resume).toMatchObject({ range: `bytes=200000-${served.content.length - 1}`, status: 200 });
    // The 200 answer with the new file was cut off at once.
    expect(source.transferredBytes).toBeLessThan(served.content.length);
  });

  it('abort mid-stream (server stalled, long idle timeout) rejects with the caller\'s reason', async () => {
    const controller = new AbortController();
    const source = await served.open({ ...fast, idleTimeoutMs: 60_000 });
    served.server.setFaults({ stallAfterBytes: 100_000 });
    const reason = new CosiflashError('E_CANCELLED', 'stopped by the test');
    const retries: RetryEvent[] = [];
    const error = await errorOf(async () => {
      let seen = 0;
      for await (const chunk of source.stream(0, served.content.length, { signal: controller.signal, onRetry: (event) => retries.push(event) })) {
        seen += chunk.length;
        if (seen >= 100_000) setTimeout(() => controller.abort(reason), 50);
      }
    });
    expect(error).toBe(reason);
    expect(retries).toEqual([]);
  });

  it('abort with a plain AbortController is E_CANCELLED', async () => {
    const controller = new AbortController();
    const source = await served.open({ ...fast, idleTimeoutMs: 60_000, signal: controller.signal });
    served.server.setFaults({ stallAfterBytes: 0 });
    const pending = errorOf(() => source.read(0, 1000));
    setTimeout(() => controller.abort(), 50);
    expect((await pending).code).toBe('E_CANCELLED');
  });

  it('abort during a backoff wait rejects at once', async () => {
    const controller = new AbortController();
    const source = await served.open({ ...fast, retryBaseDelayMs: 60_000, retryMaxDelayMs: 60_000 });
    served.server.setFaults({ status: 503 });
    const error = await errorOf(() => source.read(0, 10, { signal: controller.signal, onRetry: () => controller.abort() }));
    expect(error.code).toBe('E_CANCELLED');
  });
});
