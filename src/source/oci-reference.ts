import { isIP } from 'node:net';
import { CosiflashError } from '../errors.ts';

/** An `oci://REGISTRY/REPO:TAG` or `oci://REGISTRY/REPO@sha256:DIGEST` reference, checked. */
export interface OciReference {
  /** The registry as written (host, host:port, [v6]:port), lower case. */
  readonly registry: string;
  /** The host the API is reached at (docker.io → registry-1.docker.io), with its port. */
  readonly apiHost: string;
  /** The repository path (docker.io single names get library/). */
  readonly repository: string;
  /** The tag, or null when a digest was given. */
  readonly tag: string | null;
  /** `sha256:<64 hex>`, or null when a tag was given. */
  readonly digest: string | null;
  /** The normalised reference, `oci://registry/repository:tag` or `…@sha256:…`. */
  readonly location: string;
  /** True when the registry host is a loopback address (127.0.0.0/8, ::1, localhost). */
  readonly loopback: boolean;
}

const REPOSITORY_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const HOST_NAME = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/;

/**
 * Parses an oci:// reference without touching the network. The registry is always explicit
 * (the first path element); without a tag or digest the tag is `latest`, as docker and oras
 * do. Anything malformed is E_URL saying which part is wrong.
 */
export function parseOciReference(location: string): OciReference {
  const text = location.trim();
  const bad = (why: string, hint?: string): CosiflashError =>
    new CosiflashError('E_URL', `"${text}" is not a valid oci:// reference: ${why}.`, { hint: hint ?? 'Write it as oci://REGISTRY/REPOSITORY:TAG or oci://REGISTRY/REPOSITORY@sha256:DIGEST, e.g. oci://ghcr.io/org/image:1.0.' });
  const match = /^oci:\/\/(.*)$/i.exec(text);
  if (match === null) throw bad('it does not start with oci://');
  const rest = match[1] ?? '';
  const slash = rest.indexOf('/');
  if (slash <= 0) throw bad('it names no repository after the registry');
  const registry = rest.slice(0, slash).toLowerCase();
  const host = hostOf(registry);
  if (host === null) throw bad(`"${rest.slice(0, slash)}" is not a registry host (host, host:port or [IPv6]:port)`);
  let path = rest.slice(slash + 1);
  let digest: string | null = null;
  let tag: string | null = null;
  const at = path.indexOf('@');
  if (at >= 0) {
    digest = path.slice(at + 1);
    path = path.slice(0, at);
    if (!DIGEST.test(digest)) throw bad(`the digest "${digest}" is not sha256: followed by 64 lower-case hex digits`);
  }
  const lastSlash = path.lastIndexOf('/');
  const colon = path.indexOf(':', lastSlash + 1);
  if (colon >= 0) {
    const named = path.slice(colon + 1);
    path = path.slice(0, colon);
    if (digest === null) {
      if (!TAG.test(named)) throw bad(`the tag "${named}" is not valid (letters, digits, _ . -, at most 128, not starting with . or -)`);
      tag = named;
    }
    // With both a tag and a digest, the digest decides (as docker does); the tag is only a label.
  }
  if (digest === null && tag === null) tag = 'latest';
  if (path === '' || path.split('/').some((component) => !REPOSITORY_COMPONENT.test(component))) {
    throw bad(`the repository "${path}" is not valid (lower-case letters, digits and . _ - separators, components joined by /)`);
  }
  const dockerHub = registry === 'docker.io' || registry === 'index.docker.io' || registry === 'registry-1.docker.io';
  const repository = dockerHub && !path.includes('/') ? `library/${path}` : path;
  const apiHost = dockerHub ? 'registry-1.docker.io' : registry;
  return {
    registry,
    apiHost,
    repository,
    tag,
    digest,
    location: `oci://${registry}/${path}${digest === null ? `:${tag}` : `@${digest}`}`,
    loopback: isLoopbackHost(host),
  };
}

/** The host part of `host`, `host:port` or `[v6]:port`, or null when it is none of these. */
function hostOf(registry: string): string | null {
  const bracketed = /^\[([0-9a-f:.]+)\](?::(\d{1,5}))?$/.exec(registry);
  if (bracketed !== null) return isIP(bracketed[1] ?? '') === 6 && portOk(bracketed[2]) ? (bracketed[1] ?? null) : null;
  const plain = /^([^:]+)(?::(\d{1,5}))?$/.exec(registry);
  if (plain === null) return null;
  const host = plain[1] ?? '';
  if (!portOk(plain[2])) return null;
  return isIP(host) === 4 || HOST_NAME.test(host) ? host : null;
}

function portOk(port: string | undefined): boolean {
  return port === undefined || (Number(port) >= 1 && Number(port) <= 65_535);
}

function isLoopbackHost(host: string): boolean {
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}
