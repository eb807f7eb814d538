import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InspectJson } from '../../src/cli/inspect-output.ts';
import { expectLayoutMatchesDisk, type LayoutLike } from '../cosi/expect-layout.ts';
import { buildCosiFixture, type CosiFixture, type CosiFixtureOptions } from '../support/cosi-fixtures.ts';
import { startNginx, type NginxServer } from '../support/nginx-server.ts';
import { startRangeServer, type RangeServer } from '../support/range-server.ts';
import { runCli } from './run-cli.ts';

const isRoot = process.getuid?.() === 0;

const HOLES: CosiFixtureOptions['partitions'] = [
  { number: 1, name: 'esp', kind: 'esp', sizeMiB: 8 },
  { number: 2, name: 'root', kind: 'ext4', sizeMiB: 16, shrink: true },
  { number: 5, name: 'data', kind: 'raw', sizeMiB: 2, gapBeforeMiB: 3 },
];

const VARIANTS: { name: string; options: CosiFixtureOptions; root?: boolean }[] = [
  { name: 'gnu', options: { tarFormat: 'gnu' } },
  { name: 'posix', options: { tarFormat: 'posix', partitions: HOLES } },
  { name: 'ustar', options: { tarFormat: 'ustar', frames: 3, windowLog: 27 } },
  { name: 'subdir-trailing-unknown', options: { imagesDir: 'images/sub', trailingBytes: 7000, unknownField: true } },
  { name: '4096-holes', options: { lbaSize: 4096, partitions: HOLES, tarFormat: 'posix' }, root: true },
];

function toLayoutLike(json: InspectJson): LayoutLike {
  return { ...json, firstUsableLba: json.disk.firstUsableLba, lastUsableLba: json.disk.lastUsableLba };
}

describe('cosiflash inspect (real process)', () => {
  let range: RangeServer;
  let nginx: NginxServer;
  const fixtures = new Map<string, CosiFixture>();

  beforeAll(async () => {
    for (const variant of VARIANTS) {
      if (variant.root && !isRoot) continue;
      fixtures.set(variant.name, await buildCosiFixture(variant.options));
    }
    const files = Object.fromEntries([...fixtures].map(([name, fixture]) => [`/${name}.cosi`, fixture.cosiPath]));
    range = await startRangeServer({ files: { ...files, '/error.html': Buffer.from(`<!DOCTYPE html><html><body><h1>Sign in</h1>${'<p>session expired</p>'.repeat(50)}</body></html>`) } });
    nginx = await startNginx({ files: { ...files, '/error.html': Buffer.from(`<!DOCTYPE html><html><body>${'<p>Not here</p>'.repeat(60)}</body></html>`) } });
  });
  afterAll(async () => {
    await range?.close();
    await nginx?.close();
  });

  for (const variant of VARIANTS) {
    for (const via of ['file', 'range-server', 'nginx'] as const) {
      it.skipIf(variant.root === true && !isRoot)(`--json is exact for ${variant.name} via ${via}${variant.root && !isRoot ? ' (skipped: needs root for 4096-byte sectors)' : ''}`, async () => {
        const fixture = fixtures.get(variant.name);
        if (!fixture) throw new Error('fixture missing');
        const location = via === 'file' ? fixture.cosiPath : via === 'range-server' ? range.url(`/${variant.name}.cosi`) : nginx.url(`/${variant.name}.cosi`);
        const result = await runCli(['inspect', location, '--json', '--hash', fixture.imageHash]);
        expect(result.stderr).toBe('');
        expect(result.code).toBe(0);
        const json = JSON.parse(result.stdout) as InspectJson;
        await expectLayoutMatchesDisk(toLayoutLike(json), fixture);
        expect(json.version).toBe('1.2');
        expect(json.osArch).toBe('x86_64');
        expect(json.os.prettyName).toBe('Cosiflash Test OS 1.0');
        expect(json.bootloader).toEqual({ type: 'grub', entries: 0 });
        expect(json.packageCount).toBe(3);
        expect(json.disk.guid).toBe(fixture.diskGuid);
        expect(json.primaryGpt).toMatchObject({ path: fixture.regions[0]?.path, sha384: fixture.regions[0]?.sha384 });
        expect(json.source.sizeBytes).toBe(fixture.cosiSizeBytes);
      });
    }
  }

  it('prints a readable summary with the layout table', async () => {
    const fixture = await buildCosiFixture({ tarFormat: 'posix', partitions: HOLES });
    const result = await runCli(['inspect', fixture.cosiPath]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Image hash   ${fixture.imageHash}`);
    expect(result.stdout).toContain('OS           Cosiflash Test OS 1.0 (cosiflash-test 1.0)');
    expect(result.stdout).toMatch(/Disk\s+32\.0 MiB \(33554432 bytes\), 512-byte sectors, GUID [0-9a-f-]{36}/);
    expect(result.stdout).toMatch(/^2\s+root\s+Linux root \(x86-64\)\s+\d+\s+\d+\s+16\.0 MiB\s+ext4\s+\/\s+.* \(shrunk\)$/m);
    expect(result.stdout).toMatch(/^5\s+data\s+Linux filesystem data\s+.*raw/m);
    expect(result.stdout).toContain('Unallocated:');
  });

  it('--help exits 0; bad usage exits 2', async () => {
    const help = await runCli(['inspect', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: cosiflash inspect <path|url|oci://…>');
    expect(help.stdout).toContain('--plain-http');
    expect((await runCli(['inspect'])).code).toBe(2);
    expect((await runCli(['inspect', 'a', 'b'])).code).toBe(2);
    expect((await runCli(['inspect', 'a', '--bogus'])).code).toBe(2);
  });

  it('fails with the error code on stderr and exit 3 for bad images and hashes', async () => {
    const fixture = fixtures.get('gnu');
    if (!fixture) throw new Error('fixture missing');
    const cases: [string[], string][] = [
      [[fixture.cosiPath, '--hash', 'sha384:abc'], 'E_HASH_FORMAT'],
      [[fixture.cosiPath, '--hash', `sha384:${'a'.repeat(96)}`], 'E_HASH_MISMATCH'],
      [[fixture.sourceDiskPath], 'E_NOT_COSI'],
      [[range.url('/error.html')], 'E_HTML_PAGE'],
      [[nginx.url('/error.html')], 'E_HTML_PAGE'],
    ];
    for (const [args, code] of cases) {
      const result = await runCli(['inspect', ...args]);
      expect(result.stderr, args.join(' ')).toContain(code);
      expect(result.code, args.join(' ')).toBe(3);
      expect(result.stdout).toBe('');
    }
  });
});
