import { CosiflashError } from '../errors.ts';

export const OCI_MEDIA_TYPES = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
} as const;

/** What a manifest request accepts, in order of preference. */
export const MANIFEST_ACCEPT = [OCI_MEDIA_TYPES.ociManifest, OCI_MEDIA_TYPES.ociIndex, OCI_MEDIA_TYPES.dockerManifest, OCI_MEDIA_TYPES.dockerList].join(', ');

/** A content descriptor (OCI image spec §descriptor), checked: sha256 digest, safe size. */
export interface OciDescriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly sizeBytes: number;
  readonly artifactType: string | null;
  readonly annotations: Readonly<Record<string, string>>;
}

export type OciManifest =
  | { readonly kind: 'index'; readonly mediaType: string; readonly entries: readonly OciDescriptor[] }
  | { readonly kind: 'manifest'; readonly mediaType: string; readonly artifactType: string | null; readonly layers: readonly OciDescriptor[] };

/**
 * Parses a manifest or index body: OCI image manifest/index, Docker v2 schema 2 manifest or
 * manifest list. The media type is the body's `mediaType`, else the Content-Type header.
 * Anything else (schema 1, HTML, junk) is E_OCI_MANIFEST naming what it is.
 */
export function parseOciManifest(body: Buffer, contentType: string | null, where: string): OciManifest {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw new CosiflashError('E_OCI_MANIFEST', `The manifest of ${where} is not JSON (Content-Type ${contentType ?? 'missing'}).`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new CosiflashError('E_OCI_MANIFEST', `The manifest of ${where} is not a JSON object.`);
  const doc = json as Record<string, unknown>;
  const headerType = contentType?.split(';')[0]?.trim().toLowerCase() ?? null;
  const mediaType = typeof doc['mediaType'] === 'string' ? doc['mediaType'] : headerType ?? '';
  if (doc['schemaVersion'] === 1 || mediaType.startsWith('application/vnd.docker.distribution.manifest.v1+')) {
    throw new CosiflashError('E_OCI_MANIFEST', `${where} is a Docker schema 1 manifest, which is not supported.`, { hint: 'Push the COSI again with a current tool (oras push, docker buildx); they write OCI or schema 2 manifests.' });
  }
  const isIndex = mediaType === OCI_MEDIA_TYPES.ociIndex || mediaType === OCI_MEDIA_TYPES.dockerList || (mediaType === '' && Array.isArray(doc['manifests']));
  const isManifest = mediaType === OCI_MEDIA_TYPES.ociManifest || mediaType === OCI_MEDIA_TYPES.dockerManifest || (mediaType === '' && Array.isArray(doc['layers']));
  if (isIndex) {
    if (!Array.isArray(doc['manifests'])) throw new CosiflashError('E_OCI_MANIFEST', `The index of ${where} has no "manifests" list.`);
    return { kind: 'index', mediaType: mediaType || OCI_MEDIA_TYPES.ociIndex, entries: doc['manifests'].map((entry, i) => descriptor(entry, `${where}, index entry ${i + 1}`)) };
  }
  if (isManifest) {
    if (!Array.isArray(doc['layers'])) throw new CosiflashError('E_OCI_MANIFEST', `The manifest of ${where} has no "layers" list.`);
    const configType = typeof doc['config'] === 'object' && doc['config'] !== null ? (doc['config'] as Record<string, unknown>)['mediaType'] : undefined;
    const artifactType = typeof doc['artifactType'] === 'string' ? doc['artifactType'] : typeof configType === 'string' ? configType : null;
    return { kind: 'manifest', mediaType: mediaType || OCI_MEDIA_TYPES.ociManifest, artifactType, layers: doc['layers'].map((layer, i) => descriptor(layer, `${where}, layer ${i + 1}`)) };
  }
  throw new CosiflashError('E_OCI_MANIFEST', `${where} is a "${mediaType}", not an image manifest or index.`);
}

function descriptor(value: unknown, where: string): OciDescriptor {
  if (typeof value !== 'object' || value === null) throw new CosiflashError('E_OCI_MANIFEST', `${where} is not a descriptor object.`);
  const d = value as Record<string, unknown>;
  const { mediaType, digest, size } = d;
  if (typeof digest !== 'string' || !/^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/.test(digest)) throw new CosiflashError('E_OCI_MANIFEST', `${where} has no valid digest.`);
  if (!/^sha256:[a-f0-9]{64}$/.test(digest)) throw new CosiflashError('E_OCI_MANIFEST', `${where} has the digest ${digest}; only sha256 digests are supported.`);
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw new CosiflashError('E_OCI_MANIFEST', `${where} has no valid size.`);
  const annotations: Record<string, string> = {};
  if (typeof d['annotations'] === 'object' && d['annotations'] !== null) {
    for (const [key, text] of Object.entries(d['annotations'] as Record<string, unknown>)) if (typeof text === 'string') annotations[key] = text;
  }
  return { mediaType: typeof mediaType === 'string' ? mediaType : '', digest, sizeBytes: size, artifactType: typeof d['artifactType'] === 'string' ? d['artifactType'] : null, annotations };
}
