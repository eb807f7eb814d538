import { createHash, type Hash } from 'node:crypto';
import { CosiflashError } from '../errors.ts';
import { throwIfCancelled } from './cancellation.ts';
import { chooseCosiLayer, chooseCosiManifest, type Choice } from './cosi-layer-choice.ts';
import type { DockerConfigOptions } from './docker-config.ts';
import { statusFailure } from './http-errors.ts';
import { RetryState } from './http-retry.ts';
import { openHttpSource, type HttpSourceSettings } from './http-source.ts';
import { createHttpDispatcher, destroyBody, discardBody, sendRequest, type HttpContext, type HttpResponse } from './http-transport.ts';
import { headerValue } from './http-validator.ts';
import type { ImageSource, ReadOptions } from './image-source.ts';
import { OciAuth } from './oci-auth.ts';
import { MANIFEST_ACCEPT, parseOciManifest, type OciManifest } from './oci-manifest.ts';
import { parseOciReference, type OciReference } from './oci-reference.ts';
import type { OciResolution } from './oci-resolution.ts';

export interface OciSourceSettings extends HttpSourceSettings {
  /** Talk HTTP instead of HTTPS; only allowed for a registry on a loopback address. */
  readonly plainHttp: boolean;
  /** Where credentials are looked up (tests point it at their own config). */
  readonly dockerConfig?: DockerConfigOptions;
}

const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
/** Gaps between reads this small (tar headers between regions) are read too, so the blob digest can be checked. */
const DIGEST_GAP_BYTES = 1024 * 1024;

/**
 * Opens `oci://REGISTRY/REPO:TAG` or `oci://REGISTRY/REPO@sha256:…` as an {@link ImageSource}:
 * resolves the manifest (through an index when there is one), picks the COSI layer, and serves
 * reads from its blob with the HTTP source's ranged GETs (resume, validator pinning, retries,
 * redirects to storage keeping Range). Credentials come from the docker config when the
 * registry asks ({@link OciAuth}). When every byte of the blob went through it, the blob's
 * sha256 is compared with its digest and a mismatch fails the read that completed it.
 */
export async function openOciSource(location: string, settings: OciSourceSettings): Promise<ImageSource> {
  const reference = parseOciReference(location);
  if (settings.plainHttp && !reference.loopback) {
    throw new CosiflashError('E_INPUT', `--plain-http is allowed only for a registry on this machine (127.0.0.1, ::1, localhost), not ${reference.registry}: credentials and the image would cross the network unencrypted.`, {
      hint: 'Serve the registry over HTTPS; for a private CA, point NODE_EXTRA_CA_CERTS at its certificate.',
    });
  }
  const base = `${settings.plainHttp ? 'http' : 'https'}://${reference.apiHost}`;
  const { agent, dispatcher } = createHttpDispatcher(settings);
  const auth = new OciAuth(reference, { dispatcher, ...(settings.dockerConfig === undefined ? {} : { dockerConfig: settings.dockerConfig }) });
  const manifestContext = (url: string): HttpContext => ({
    url,
    redacted: `${reference.location} (${url.slice(base.length)})`,
    location: reference.location,
    dispatcher,
    settings,
    transferredBytes: 0,
    sizeBytes: 0,
    validator: null,
    onRetry: settings.onRetry,
    authorizer: auth,
  });
  let manifestBytes = 0;
  try {
    throwIfCancelled(settings.signal, reference.location);
    const fetchManifest = async (name: string, expectedDigest: string | null): Promise<{ manifest: OciManifest; digest: string }> => {
      const context = manifestContext(`${base}/v2/${reference.repository}/manifests/${name}`);
      const fetched = await fetchWithRetries(context, reference, name, settings.signal);
      manifestBytes += fetched.body.length;
      const digest = `sha256:${createHash('sha256').update(fetched.body).digest('hex')}`;
      if (expectedDigest !== null && digest !== expectedDigest) {
        throw new CosiflashError('E_OCI_DIGEST', `The manifest ${expectedDigest} of ${reference.registry}/${reference.repository} has the digest ${digest}.`);
      }
      if (fetched.headerDigest !== null && /^sha256:/.test(fetched.headerDigest) && fetched.headerDigest !== digest) {
        throw new CosiflashError('E_OCI_DIGEST', `The registry says the manifest of ${reference.location} is ${fetched.headerDigest} (Docker-Content-Digest) but what it sent is ${digest}.`);
      }
      return { manifest: parseOciManifest(fetched.body, fetched.contentType, reference.location), digest };
    };
    let { manifest, digest } = await fetchManifest(reference.digest ?? reference.tag ?? 'latest', reference.digest);
    let index: OciResolution['index'] = null;
    if (manifest.kind === 'index') {
      const entry: Choice = chooseCosiManifest(manifest.entries, reference.location);
      index = { digest, rule: entry.rule };
      ({ manifest, digest } = await fetchManifest(entry.descriptor.digest, entry.descriptor.digest));
      if (manifest.kind === 'index') throw new CosiflashError('E_OCI_MANIFEST', `The index ${index.digest} of ${reference.location} points at another index (${digest}); nested indexes are not supported.`);
    }
    const layer = chooseCosiLayer(manifest.layers, reference.location);
    const blobUrl = `${base}/v2/${reference.repository}/blobs/${layer.descriptor.digest}`;
    let blob: ImageSource;
    try {
      blob = await openHttpSource(blobUrl, settings, { location: reference.location, redacted: `${reference.location} (blob ${layer.descriptor.digest.slice(0, 19)}…)`, authorizer: auth });
    } catch (error) {
      throw blobError(error, reference, layer.descriptor.digest);
    }
    if (blob.sizeBytes !== layer.descriptor.sizeBytes) {
      await blob.close().catch(() => undefined);
      throw new CosiflashError('E_OCI_MANIFEST', `The manifest of ${reference.location} says its COSI layer has ${layer.descriptor.sizeBytes} bytes, the registry serves ${blob.sizeBytes}.`);
    }
    const resolution: OciResolution = {
      registry: reference.registry,
      repository: reference.repository,
      tag: reference.tag,
      manifestDigest: digest,
      manifestMediaType: manifest.mediaType,
      index,
      layerDigest: layer.descriptor.digest,
      layerSizeBytes: layer.descriptor.sizeBytes,
      layerMediaType: layer.descriptor.mediaType,
      layerRule: layer.rule,
      credentialsFrom: auth.credentialsFrom,
    };
    return new OciSource(blob, resolution, { manifestBytes, close: () => agent.destroy() });
  } catch (error) {
    await agent.destroy().catch(() => undefined);
    throw error;
  }
}

/** GET of one manifest with the HTTP source's retry budget; 404/403 become registry errors. */
async function fetchWithRetries(context: HttpContext, reference: OciReference, name: string, signal: AbortSignal | undefined): Promise<{ body: Buffer; contentType: string | null; headerDigest: string | null }> {
  const retry = new RetryState(context.settings, { url: context.redacted, location: context.location, opened: false });
  for (;;) {
    try {
      const response = await sendRequest(context, 'GET', { accept: MANIFEST_ACCEPT }, signal);
      if (response.statusCode === 200) {
        const body = await limitedBody(response, reference);
        return { body, contentType: headerValue(response.headers, 'content-type'), headerDigest: headerValue(response.headers, 'docker-content-digest') };
      }
      const errorText = response.statusCode === 404 || response.statusCode === 403 ? await response.body.text().catch(() => '') : '';
      if (errorText === '') await discardBody(response, { keepConnection: true });
      if (response.statusCode === 404) throw manifestNotFound(reference, name, errorText);
      if (response.statusCode === 403) throw new CosiflashError('E_OCI_DENIED', `The registry ${reference.registry} refuses access to ${reference.repository} (HTTP 403${registryCodes(errorText)}) with the credentials from ${context.authorizer instanceof OciAuth ? (context.authorizer.credentialsFrom ?? 'nowhere (anonymous)') : 'nowhere'}.`);
      throw statusFailure(response.statusCode, context.redacted);
    } catch (error) {
      await retry.afterFailure(error, { offsetBytes: 0, signal, onRetry: context.onRetry });
    }
  }
}

async function limitedBody(response: HttpResponse, reference: OciReference): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of response.body) {
    const buffer = Buffer.from(chunk as Uint8Array);
    total += buffer.length;
    if (total > MAX_MANIFEST_BYTES) {
      destroyBody(response.body);
      throw new CosiflashError('E_OCI_MANIFEST', `The manifest of ${reference.location} is larger than 4 MiB.`);
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

function registryCodes(text: string): string {
  try {
    const codes = ((JSON.parse(text) as { errors?: { code?: unknown }[] }).errors ?? []).map((e) => e.code).filter((c): c is string => typeof c === 'string');
    return codes.length === 0 ? '' : `, ${codes.join(', ')}`;
  } catch {
    return '';
  }
}

function manifestNotFound(reference: OciReference, name: string, text: string): CosiflashError {
  const codes = registryCodes(text);
  const what = name.startsWith('sha256:') ? `manifest ${name}` : `tag "${name}"`;
  const repoMissing = codes.includes('NAME_UNKNOWN');
  return new CosiflashError(
    'E_OCI_NOT_FOUND',
    repoMissing ? `The registry ${reference.registry} has no repository ${reference.repository} (HTTP 404${codes}).` : `The registry ${reference.registry} has no ${what} in ${reference.repository} (HTTP 404${codes}).`,
  );
}

function blobError(error: unknown, reference: OciReference, digest: string): unknown {
  if (!(error instanceof CosiflashError)) return error;
  if (error.code === 'E_HTTP_NOT_FOUND') return new CosiflashError('E_OCI_NOT_FOUND', `The registry ${reference.registry} has no blob ${digest} in ${reference.repository}, although its manifest names it.`, { cause: error });
  if (error.code === 'E_HTTP_AUTH') return new CosiflashError('E_OCI_DENIED', `The registry ${reference.registry} refuses the blob ${digest} of ${reference.repository}: ${error.detail}`, { cause: error });
  return error;
}

/** The blob as an ImageSource, plus the resolution and the digest check. */
class OciSource implements ImageSource {
  readonly kind = 'oci';
  readonly localPath = null;
  readonly oci: OciResolution;
  readonly #blob: ImageSource;
  readonly #manifestBytes: number;
  readonly #close: () => Promise<void>;
  /** sha256 of the blob's bytes [0, #hashedBytes), fed as contiguous reads arrive. */
  readonly #hash: Hash = createHash('sha256');
  #hashedBytes = 0;
  #digestChecked = false;

  constructor(blob: ImageSource, resolution: OciResolution, options: { manifestBytes: number; close: () => Promise<void> }) {
    this.#blob = blob;
    this.oci = resolution;
    this.#manifestBytes = options.manifestBytes;
    this.#close = options.close;
  }

  get location(): string {
    return this.#blob.location;
  }

  get sizeBytes(): number {
    return this.#blob.sizeBytes;
  }

  get transferredBytes(): number {
    return this.#blob.transferredBytes + this.#manifestBytes;
  }

  /** True once every byte of the blob was read and its sha256 matched the layer digest. */
  get digestVerified(): boolean {
    return this.#digestChecked;
  }

  async read(offsetBytes: number, lengthBytes: number, options: ReadOptions = {}): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let at = offsetBytes;
    for await (const chunk of this.#blob.stream(offsetBytes, lengthBytes, options)) {
      this.#feed(at, chunk);
      at += chunk.length;
      chunks.push(chunk);
    }
    return Buffer.concat(chunks, lengthBytes);
  }

  async *stream(offsetBytes: number, lengthBytes: number, options: ReadOptions = {}): AsyncIterable<Buffer> {
    const gap = offsetBytes - this.#hashedBytes;
    if (!this.#digestChecked && gap > 0 && gap <= DIGEST_GAP_BYTES && offsetBytes + lengthBytes <= this.sizeBytes) await this.#hashAhead(offsetBytes, options);
    let at = offsetBytes;
    for await (const chunk of this.#blob.stream(offsetBytes, lengthBytes, options)) {
      this.#feed(at, chunk);
      at += chunk.length;
      yield chunk;
    }
    // The end of the archive (padding, end-of-archive blocks) is read once the last region was.
    const tail = this.sizeBytes - this.#hashedBytes;
    if (!this.#digestChecked && this.#hashedBytes === offsetBytes + lengthBytes && tail > 0 && tail <= DIGEST_GAP_BYTES) await this.#hashAhead(this.sizeBytes, options);
  }

  async close(): Promise<void> {
    try {
      await this.#blob.close();
    } finally {
      await this.#close();
    }
  }

  /** Reads and hashes [#hashedBytes, untilBytes). */
  async #hashAhead(untilBytes: number, options: ReadOptions): Promise<void> {
    let at = this.#hashedBytes;
    for await (const chunk of this.#blob.stream(at, untilBytes - at, options)) {
      this.#feed(at, chunk);
      at += chunk.length;
    }
  }

  /** Hashes what extends the contiguous prefix; checks the digest when the prefix is the whole blob. */
  #feed(atBytes: number, chunk: Buffer): void {
    if (this.#digestChecked || atBytes > this.#hashedBytes) return;
    const skip = this.#hashedBytes - atBytes;
    if (skip >= chunk.length) return;
    this.#hash.update(skip === 0 ? chunk : chunk.subarray(skip));
    this.#hashedBytes += chunk.length - skip;
    if (this.#hashedBytes < this.sizeBytes) return;
    const actual = `sha256:${this.#hash.digest('hex')}`;
    this.#digestChecked = true;
    if (actual !== this.oci.layerDigest) {
      throw new CosiflashError('E_OCI_DIGEST', `The COSI layer of ${this.location} should have the digest ${this.oci.layerDigest}, what the registry sent has ${actual}.`);
    }
  }
}
