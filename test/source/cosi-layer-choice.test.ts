import { describe, expect, it } from 'vitest';
import { chooseCosiLayer, chooseCosiManifest, namesCosi } from '../../src/source/cosi-layer-choice.ts';
import type { OciDescriptor } from '../../src/source/oci-manifest.ts';
import { parseOciManifest } from '../../src/source/oci-manifest.ts';
import { thrownCosiflashError } from '../support/thrown-cosiflash-error.ts';

const d = (n: number, extra: Partial<OciDescriptor> = {}): OciDescriptor => ({ mediaType: 'application/octet-stream', digest: `sha256:${String(n).repeat(64).slice(0, 64)}`, sizeBytes: n, artifactType: null, annotations: {}, ...extra });

describe('chooseCosiLayer', () => {
  it('takes the only layer', () => {
    expect(chooseCosiLayer([d(1)], 'x')).toEqual({ descriptor: d(1), rule: 'the only layer' });
  });
  it('takes the one layer with a COSI media type, else the one titled *.cosi', () => {
    expect(chooseCosiLayer([d(1), d(2, { mediaType: 'application/vnd.example.cosi.v1' })], 'x').descriptor.sizeBytes).toBe(2);
    const titled = chooseCosiLayer([d(1, { annotations: { 'org.opencontainers.image.title': 'README.md' } }), d(3, { annotations: { 'org.opencontainers.image.title': 'azl.COSI' } })], 'x');
    expect(titled.descriptor.sizeBytes).toBe(3);
    expect(titled.rule).toMatch(/titled \*\.cosi \(org\.opencontainers\.image\.title=azl\.COSI\)/);
  });
  it('refuses none, or several at the deciding rule', () => {
    expect(thrownCosiflashError(() => chooseCosiLayer([], 'x')).code).toBe('E_OCI_MANIFEST');
    expect(thrownCosiflashError(() => chooseCosiLayer([d(1), d(2)], 'x')).detail).toMatch(/2 layers and none is marked/);
    const two = thrownCosiflashError(() => chooseCosiLayer([d(1, { mediaType: 'a/cosi' }), d(2, { mediaType: 'a/cosi' })], 'x'));
    expect(two.detail).toMatch(/2 layers with a COSI media type/);
  });
  it('namesCosi matches cosi as a word of the type only', () => {
    expect(namesCosi('application/vnd.microsoft.azurelinux.cosi')).toBe(true);
    expect(namesCosi('application/x-cosi+tar')).toBe(true);
    expect(namesCosi('application/vnd.cosine.v1')).toBe(false);
    expect(namesCosi(null)).toBe(false);
  });
});

describe('chooseCosiManifest', () => {
  it('takes the only entry, else the one with a COSI artifact type', () => {
    expect(chooseCosiManifest([d(1)], 'x').rule).toBe('the only index entry');
    expect(chooseCosiManifest([d(1, { artifactType: 'application/spdx+json' }), d(2, { artifactType: 'application/vnd.cosi.image.v1' })], 'x').descriptor.sizeBytes).toBe(2);
    expect(thrownCosiflashError(() => chooseCosiManifest([d(1), d(2)], 'x')).detail).toMatch(/2 entries and none has a COSI artifact type/);
  });
});

describe('parseOciManifest', () => {
  const digest = `sha256:${'c'.repeat(64)}`;
  it('reads OCI and Docker schema 2 manifests and indexes', () => {
    const oci = parseOciManifest(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.empty.v1+json', digest, size: 2 }, layers: [{ mediaType: 'x', digest, size: 5 }] })), null, 'r');
    expect(oci).toMatchObject({ kind: 'manifest', artifactType: 'application/vnd.oci.empty.v1+json', layers: [{ sizeBytes: 5 }] });
    const docker = parseOciManifest(Buffer.from(JSON.stringify({ schemaVersion: 2, layers: [{ mediaType: 'x', digest, size: 5 }] })), 'application/vnd.docker.distribution.manifest.v2+json', 'r');
    expect(docker).toMatchObject({ kind: 'manifest', mediaType: 'application/vnd.docker.distribution.manifest.v2+json' });
    const list = parseOciManifest(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.list.v2+json', manifests: [{ mediaType: 'x', digest, size: 1 }] })), null, 'r');
    expect(list.kind).toBe('index');
  });
  it('refuses schema 1, other digests, bad sizes and non-JSON', () => {
    expect(thrownCosiflashError(() => parseOciManifest(Buffer.from('{"schemaVersion":1}'), null, 'r')).detail).toMatch(/schema 1/);
    expect(thrownCosiflashError(() => parseOciManifest(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', layers: [{ digest: `sha512:${'a'.repeat(128)}`, size: 1 }] })), null, 'r')).detail).toMatch(/only sha256/);
    expect(thrownCosiflashError(() => parseOciManifest(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', layers: [{ digest, size: -1 }] })), null, 'r')).detail).toMatch(/no valid size/);
    expect(thrownCosiflashError(() => parseOciManifest(Buffer.from('<html>'), 'text/html', 'r')).detail).toMatch(/not JSON/);
  });
});
