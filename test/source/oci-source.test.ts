/**
 * The oci:// source against Debian's docker-registry on 127.0.0.1 (plain HTTP, loopback):
 * a COSI pushed through the registry API is found by tag and by digest, through an index,
 * in a manifest with several layers, through the registry's redirect to storage (Range kept),
 * and its blob digest is checked once every byte was read.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectCosi } from '../../src/cosi/inspect-cosi.ts';
import { verifyCosi } from '../../src/cosi/verify-cosi.ts';
import type { ImageSource } from '../../src/source/image-source.ts';
import { openOciSource } from '../../src/source/oci-source.ts';
import { openSource, SOURCE_DEFAULTS } from '../../src/source/open-source.ts';
import { buildCosiFixture, DEFAULT_PARTITIONS, type CosiFixture } from '../support/cosi-fixtures.ts';
import { pushBlob, pushClient, pushCosiArtifact, pushManifest, registrySkipReason, startRegistry, type PushClient, type TestRegistry } from '../support/docker-registry.ts';
import { startRangeServer, type RangeServer } from '../support/range-server.ts';
import { startTokenAuthProxy, type TokenAuthProxy } from '../support/token-auth-proxy.ts';

const skip = registrySkipReason();
/** 4 MiB of random data make the blob larger than the 2 MiB inspect may read. */
const OCI_FIXTURE = { partitions: [...DEFAULT_PARTITIONS, { number: 3, name: 'data', kind: 'raw' as const, sizeMiB: 4 }] };
const fast = { plainHttp: true, retryBaseDelayMs: 5, retryMaxDelayMs: 20, maxRetries: 2 } as const;

async function rejected(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return { code: (error as { code?: string }).code ?? 'none', message: (error as Error).message };
  }
  throw new Error('expected a rejection');
}

async function withSource<T>(location: string, body: (source: ImageSource) => Promise<T>): Promise<T> {
  const source = await openSource(location, fast);
  try {
    return await body(source);
  } finally {
    await source.close();
  }
}

describe.skipIf(skip !== null)(`oci:// source against docker-registry${skip === null ? '' : ` (skipped: ${skip})`}`, () => {
  let registry: TestRegistry;
  let client: PushClient;
  let fixture: CosiFixture;
  let cosi: Buffer;
  let manifestDigest: string;

  beforeAll(async () => {
    fixture = await buildCosiFixture(OCI_FIXTURE);
    cosi = await readFile(fixture.cosiPath);
    registry = await startRegistry();
    client = await pushClient(registry);
    ({ manifestDigest } = await pushCosiArtifact(client, 'cosi/test', 'v1', cosi));
  }, 60_000);
  afterAll(async () => {
    await registry?.close();
  });

  it('inspects by tag: the only layer, reading only the manifest and the head of the blob', async () => {
    const before = registry.log().length;
    await withSource(`oci://${registry.host}/cosi/test:v1`, async (source) => {
      const { layout } = await inspectCosi(source);
      expect(layout.imageHash).toBe(fixture.imageHash);
      expect(source.kind).toBe('oci');
      expect(source.sizeBytes).toBe(cosi.length);
      expect(source.oci).toMatchObject({ registry: registry.host, repository: 'cosi/test', tag: 'v1', manifestDigest, layerDigest: `sha256:${createHash('sha256').update(cosi).digest('hex')}`, layerRule: 'the only layer', index: null, credentialsFrom: null });
    });
    const requests = registry.log().slice(before);
    expect(requests.some((r) => r.uri.includes('/manifests/v1'))).toBe(true);
    const blobBytes = requests.filter((r) => r.uri.includes('/blobs/')).reduce((sum, r) => sum + r.writtenBytes, 0);
    expect(blobBytes, 'blob bytes the registry sent for inspect').toBeGreaterThan(0);
    expect(blobBytes).toBeLessThan(2 * 1024 * 1024);
    expect(blobBytes).toBeLessThan(cosi.length);
  });

  it('inspects by manifest digest, and a verify reads the whole blob and checks its digest', async () => {
    await withSource(`oci://${registry.host}/cosi/test@${manifestDigest}`, async (source) => {
      expect(source.oci?.tag).toBeNull();
      expect(source.oci?.manifestDigest).toBe(manifestDigest);
      const report = await verifyCosi(source, await inspectCosi(source));
      expect(report.ok).toBe(true);
      expect((source as unknown as { digestVerified: boolean }).digestVerified).toBe(true);
    });
  });

  it('an index picks the entry with a COSI artifact type among several', async () => {
    const other = await pushCosiArtifact(client, 'cosi/indexed', 'other', Buffer.from('not a cosi'));
    const wanted = await pushCosiArtifact(client, 'cosi/indexed', 'cosi', cosi);
    const entry = (digest: string, artifactType: string, size: number) => ({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest, size, artifactType });
    const sizes = async (tag: string) => (await readManifestSize(client, 'cosi/indexed', tag));
    await pushManifest(client, 'cosi/indexed', 'multi', {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [entry(other.manifestDigest, 'application/vnd.example.sbom.v1', await sizes('other')), entry(wanted.manifestDigest, 'application/vnd.cosiflash.test.cosi.v1', await sizes('cosi'))],
    });
    await withSource(`oci://${registry.host}/cosi/indexed:multi`, async (source) => {
      expect(source.oci?.index?.rule).toMatch(/COSI artifact type/);
      expect(source.oci?.manifestDigest).toBe(wanted.manifestDigest);
      expect((await inspectCosi(source)).layout.imageHash).toBe(fixture.imageHash);
    });
  });

  it('with several layers the one with a COSI media type is chosen, and the rule says so; unmarked layers are refused', async () => {
    await pushCosiArtifact(client, 'cosi/layers', 'typed', cosi, { extraLayers: [Buffer.from('readme')] });
    await withSource(`oci://${registry.host}/cosi/layers:typed`, async (source) => {
      expect(source.oci?.layerRule).toMatch(/^the only layer with a COSI media type/);
      expect((await inspectCosi(source)).layout.imageHash).toBe(fixture.imageHash);
    });
    await pushCosiArtifact(client, 'cosi/layers', 'titled', cosi, { layerMediaType: 'application/octet-stream', extraLayers: [Buffer.from('readme')] });
    await withSource(`oci://${registry.host}/cosi/layers:titled`, async (source) => {
      expect(source.oci?.layerRule).toMatch(/titled \*\.cosi/);
    });
    const config = await pushBlob(client, 'cosi/layers', Buffer.from('{}'), 'application/vnd.oci.empty.v1+json');
    const a = await pushBlob(client, 'cosi/layers', Buffer.from('a'), 'application/octet-stream');
    const b = await pushBlob(client, 'cosi/layers', Buffer.from('b'), 'application/octet-stream');
    await pushManifest(client, 'cosi/layers', 'unmarked', { schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config, layers: [a, b] });
    const error = await rejected(openSource(`oci://${registry.host}/cosi/layers:unmarked`, fast));
    expect(error.code).toBe('E_OCI_MANIFEST');
    expect(error.message).toMatch(/2 layers and none is marked as the COSI/);
  });

  it('names what was not found: a tag, a repository, a manifest digest', async () => {
    const tag = await rejected(openSource(`oci://${registry.host}/cosi/test:nope`, fast));
    expect(tag).toMatchObject({ code: 'E_OCI_NOT_FOUND' });
    expect(tag.message).toMatch(/has no tag "nope" in cosi\/test/);
    const repo = await rejected(openSource(`oci://${registry.host}/no/such:v1`, fast));
    expect(repo.code).toBe('E_OCI_NOT_FOUND');
    const digest = await rejected(openSource(`oci://${registry.host}/cosi/test@sha256:${'0'.repeat(64)}`, fast));
    expect(digest.code).toBe('E_OCI_NOT_FOUND');
    expect(digest.message).toContain(`sha256:${'0'.repeat(64)}`);
  });

  it('--plain-http is refused for a registry that is not on this machine, before any connection', async () => {
    const error = await rejected(openSource('oci://registry.example.com/cosi/test:v1', { plainHttp: true }));
    expect(error.code).toBe('E_INPUT');
    expect(error.message).toMatch(/only for a registry on this machine/);
  });
});

describe.skipIf(skip !== null)('oci:// blobs redirected to storage', () => {
  let storage: RangeServer;
  let registry: TestRegistry;
  let dir: string;
  let fixture: CosiFixture;
  let cosi: Buffer;
  let layerDigest: string;

  beforeAll(async () => {
    fixture = await buildCosiFixture(OCI_FIXTURE);
    cosi = await readFile(fixture.cosiPath);
    dir = await mkdtemp(path.join(tmpdir(), 'cosiflash-oci-redirect-'));
    const storageDir = path.join(dir, 'storage');
    storage = await startRangeServer({ root: storageDir });
    // "localhost" is another origin than 127.0.0.1: the redirect is cross-origin, as to a bucket.
    registry = await startRegistry({ storageDir, redirectBaseUrl: `http://localhost:${storage.port}/` });
    const client = await pushClient(registry);
    ({ layer: { digest: layerDigest } } = await pushCosiArtifact(client, 'cosi/redirected', 'v1', cosi));
  }, 60_000);
  afterAll(async () => {
    await registry?.close();
    await storage?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('follows the redirect keeping Range: storage serves only ranges, and the flash-sized read is byte-exact', async () => {
    storage.resetStats();
    await withSource(`oci://${registry.host}/cosi/redirected:v1`, async (source) => {
      expect((await inspectCosi(source)).layout.imageHash).toBe(fixture.imageHash);
      const middle = await source.read(1000, 50_000);
      expect(middle.equals(cosi.subarray(1000, 51_000))).toBe(true);
    });
    const gets = storage.stats.requests.filter((r) => r.method === 'GET');
    expect(gets.length).toBeGreaterThan(0);
    expect(gets.every((r) => r.range !== null && r.status === 206), JSON.stringify(gets)).toBe(true);
    expect(storage.stats.bytesSent).toBeLessThan(2 * 1024 * 1024);
  });

  it('a blob changed in storage (same size, one byte of the end-of-archive padding) fails the digest check once the whole blob was read', async () => {
    const hex = layerDigest.slice('sha256:'.length);
    const blobPath = path.join(registry.storageDir, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
    const changed = Buffer.from(cosi);
    changed[changed.length - 3] = 0x55;
    await writeFile(blobPath, changed);
    try {
      await withSource(`oci://${registry.host}/cosi/redirected:v1`, async (source) => {
        // Every region still matches its sha384: only the layer digest can tell.
        const outcome = await verifyCosi(source, await inspectCosi(source)).then(
          (report) => ({ code: report.regions.find((r) => r.error !== null)?.error?.code ?? 'none', message: JSON.stringify(report.regions.map((r) => r.error)) }),
          (error: unknown) => ({ code: (error as { code?: string }).code ?? 'none', message: (error as Error).message }),
        );
        expect(outcome.code, outcome.message).toBe('E_OCI_DIGEST');
        expect(outcome.message).toContain(layerDigest);
      });
    } finally {
      await writeFile(blobPath, cosi);
    }
  });
});

async function readManifestSize(client: PushClient, repository: string, tag: string): Promise<number> {
  const { request } = await import('undici');
  const response = await request(`${client.baseUrl}/v2/${repository}/manifests/${tag}`, { dispatcher: client.dispatcher, headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } });
  return (await response.body.arrayBuffer()).byteLength;
}

describe.skipIf(skip !== null)('oci:// with an identity token (grant_type=refresh_token)', () => {
  let registry: TestRegistry;
  let proxy: TokenAuthProxy;
  let dir: string;
  let fixture: CosiFixture;

  beforeAll(async () => {
    fixture = await buildCosiFixture(OCI_FIXTURE);
    registry = await startRegistry();
    await pushCosiArtifact(await pushClient(registry), 'id/app', 'v1', await readFile(fixture.cosiPath));
    proxy = await startTokenAuthProxy({ port: Number(registry.host.split(':')[1]) }, { username: 'unused', password: 'unused', requestsPerToken: 3, refreshToken: 'refresh-abc' });
    dir = await mkdtemp(path.join(tmpdir(), 'cosiflash-oci-identity-'));
  }, 60_000);
  afterAll(async () => {
    await proxy?.close();
    await registry?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('exchanges the identitytoken of the docker config for pull tokens, again when they expire', async () => {
    await writeFile(path.join(dir, 'config.json'), JSON.stringify({ auths: { [proxy.host]: { identitytoken: 'refresh-abc' } } }));
    const source = await openOciSource(`oci://${proxy.host}/id/app:v1`, { ...SOURCE_DEFAULTS, signal: undefined, onRetry: undefined, plainHttp: true, dockerConfig: { env: { DOCKER_CONFIG: dir } } });
    try {
      expect(source.oci?.credentialsFrom).toBe(`auths["${proxy.host}"] in ${path.join(dir, 'config.json')}`);
      const report = await verifyCosi(source, await inspectCosi(source));
      expect(report.ok).toBe(true);
    } finally {
      await source.close();
    }
    expect(proxy.stats.refreshGrants).toBeGreaterThanOrEqual(2);
    expect(proxy.stats.tokenRefusals).toBe(0);
  });
});
