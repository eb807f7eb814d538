import { CosiflashError } from '../errors.ts';
import type { OciDescriptor } from './oci-manifest.ts';

/** A descriptor picked from a list, and the rule that picked it (shown by inspect). */
export interface Choice {
  readonly descriptor: OciDescriptor;
  /** e.g. "the only layer", "media type application/vnd…cosi…", "annotation org.opencontainers.image.title=x.cosi". */
  readonly rule: string;
}

/** A media or artifact type that names COSI as one of its dot/plus/dash separated words. */
export function namesCosi(type: string | null): boolean {
  return type !== null && /(^|[/.+_-])cosi($|[/.+_-])/i.test(type);
}

const TITLE = 'org.opencontainers.image.title';

/**
 * The COSI layer of a manifest: the only layer; else the one layer whose media type names
 * COSI; else the one layer whose `org.opencontainers.image.title` annotation ends in `.cosi`.
 * None, or several at the deciding rule, is E_OCI_MANIFEST listing the layers.
 */
export function chooseCosiLayer(layers: readonly OciDescriptor[], where: string): Choice {
  const only = layers.length === 1 ? layers[0] : undefined;
  if (only !== undefined) return { descriptor: only, rule: 'the only layer' };
  if (layers.length === 0) throw new CosiflashError('E_OCI_MANIFEST', `The manifest of ${where} has no layers.`);
  const byType = layers.filter((layer) => namesCosi(layer.mediaType));
  if (byType.length === 1 && byType[0] !== undefined) return { descriptor: byType[0], rule: `the only layer with a COSI media type (${byType[0].mediaType})` };
  if (byType.length > 1) throw ambiguous(where, 'layers with a COSI media type', byType);
  const byTitle = layers.filter((layer) => layer.annotations[TITLE]?.toLowerCase().endsWith('.cosi') === true);
  if (byTitle.length === 1 && byTitle[0] !== undefined) return { descriptor: byTitle[0], rule: `the only layer titled *.cosi (${TITLE}=${byTitle[0].annotations[TITLE]})` };
  if (byTitle.length > 1) throw ambiguous(where, 'layers titled *.cosi', byTitle);
  throw new CosiflashError('E_OCI_MANIFEST', `The manifest of ${where} has ${layers.length} layers and none is marked as the COSI (${list(layers)}).`, {
    hint: 'Push the COSI as the only layer, or give its layer a media type naming cosi (e.g. application/vnd.cosi.image) or the title annotation <name>.cosi.',
  });
}

/**
 * The manifest of an index that holds the COSI: the only entry; else the one entry whose
 * artifactType names COSI. Otherwise E_OCI_MANIFEST listing the entries.
 */
export function chooseCosiManifest(entries: readonly OciDescriptor[], where: string): Choice {
  const only = entries.length === 1 ? entries[0] : undefined;
  if (only !== undefined) return { descriptor: only, rule: 'the only index entry' };
  if (entries.length === 0) throw new CosiflashError('E_OCI_MANIFEST', `The index of ${where} is empty.`);
  const byType = entries.filter((entry) => namesCosi(entry.artifactType));
  if (byType.length === 1 && byType[0] !== undefined) return { descriptor: byType[0], rule: `the only index entry with a COSI artifact type (${byType[0].artifactType})` };
  if (byType.length > 1) throw ambiguous(where, 'index entries with a COSI artifact type', byType);
  throw new CosiflashError('E_OCI_MANIFEST', `The index of ${where} has ${entries.length} entries and none has a COSI artifact type (${list(entries)}).`, {
    hint: 'Refer to the COSI manifest by its digest (oci://REGISTRY/REPO@sha256:…), or give its index entry an artifactType naming cosi.',
  });
}

function ambiguous(where: string, what: string, found: readonly OciDescriptor[]): CosiflashError {
  return new CosiflashError('E_OCI_MANIFEST', `${where} has ${found.length} ${what}, so which one is the image is not clear (${list(found)}).`, { hint: 'Refer to the COSI manifest by digest, or publish one COSI per manifest.' });
}

function list(descriptors: readonly OciDescriptor[]): string {
  return descriptors.map((d) => `${d.digest.slice(0, 19)}… ${d.artifactType ?? (d.mediaType || 'no media type')}`).join('; ');
}
