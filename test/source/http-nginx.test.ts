import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSource } from '../../src/source/open-source.ts';
import { nginxSkipReason, startNginx, type NginxServer } from '../support/nginx-server.ts';
import { collect, createSourceFixtures, errorOf, sha256, type SourceFixtures } from './source-fixtures.ts';

const MiB = 1024 * 1024;
const skip = nginxSkipReason();

// A stock web server proves the HEAD probe, If-Range pinning and Content-Range checks match
// what real servers send, not only our own test server.
describe.skipIf(skip !== null)(`HTTP source against Debian's nginx${skip === null ? '' : ` (skipped: ${skip})`}`, () => {
  let fixtures: SourceFixtures;
  let nginx: NginxServer;
  let content: Buffer;
  beforeAll(async () => {
    fixtures = await createSourceFixtures();
    ({ content } = await fixtures.randomFile('dir with space/image.cosi', 3 * MiB + 1));
    await fixtures.sparseFile('big.cosi', 64 * MiB);
    nginx = await startNginx(fixtures.dir);
  });
  afterAll(async () => {
    await nginx?.close();
    await fixtures?.cleanup();
  });

  it('reads ranges and streams the whole file identically', async () => {
    const source = await openSource(nginx.url('/dir with space/image.cosi'));
    try {
      expect(source.sizeBytes).toBe(content.length);
      expect(await source.read(12345, 678)).toEqual(content.subarray(12345, 12345 + 678));
      expect(await source.read(content.length - 1, 1)).toEqual(content.subarray(-1));
      expect(sha256(await collect(source.stream(0, content.length)))).toBe(sha256(content));
      expect(source.transferredBytes).toBe(678 + 1 + content.length);
    } finally {
      await source.close();
    }
  });

  it('a few KiB of a 64 MiB file transfer only those KiB', async () => {
    const source = await openSource(nginx.url('/big.cosi'));
    try {
      expect(source.sizeBytes).toBe(64 * MiB);
      await source.read(40 * MiB, 8192);
      expect(source.transferredBytes).toBe(8192);
    } finally {
      await source.close();
    }
  });

  it('404 from nginx is E_HTTP_NOT_FOUND', async () => {
    expect((await errorOf(() => openSource(nginx.url('/missing.cosi')))).code).toBe('E_HTTP_NOT_FOUND');
  });
});
