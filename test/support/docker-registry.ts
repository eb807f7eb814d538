/**
 * Debian's docker-registry (the CNCF distribution registry) on 127.0.0.1 with a throw-away
 * config and storage folder, optionally with TLS, htpasswd auth and the "redirect" storage
 * middleware (blob GETs answered with a redirect to a storage URL). Its JSON access log tells
 * tests what it sent. Plus the registry HTTP API calls a publisher makes (blob upload, manifest
 * PUT) and the tools for a self-signed certificate and an htpasswd file.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort, stopProcess, waitForPort } from './server-process.ts';
import { Agent, request, type Dispatcher } from 'undici';

export const DOCKER_REGISTRY_PATH = '/usr/bin/docker-registry';

/** Why registry tests must skip, or null when they can run. */
export function registrySkipReason(): string | null {
  if (!existsSync(DOCKER_REGISTRY_PATH)) return `docker-registry is not installed (${DOCKER_REGISTRY_PATH} missing; apt-get install docker-registry)`;
  if (!existsSync('/usr/bin/openssl')) return 'openssl is not installed (apt-get install openssl)';
  return null;
}

export interface RegistryOptions {
  readonly tls?: { readonly certPath: string; readonly keyPath: string };
  /** An htpasswd file (bcrypt): the registry then wants Basic credentials. */
  readonly htpasswdPath?: string;
  /** Blob GETs are redirected to `<baseUrl><storage path>` (storage path below the storage folder). */
  readonly redirectBaseUrl?: string;
  /** The storage folder (default: a fresh one in the registry's temp folder). */
  readonly storageDir?: string;
}

/** One request from the registry's access log. */
export interface RegistryLogEntry {
  readonly method: string;
  readonly uri: string;
  readonly status: number;
  readonly writtenBytes: number;
}

export interface TestRegistry {
  /** `127.0.0.1:<port>`, as written in oci:// references. */
  readonly host: string;
  /** `https://127.0.0.1:<port>` or `http://…`. */
  readonly baseUrl: string;
  readonly storageDir: string;
  /** Requests completed so far, from the registry's log. */
  log(): RegistryLogEntry[];
  close(): Promise<void>;
}

/** Starts the registry on a free loopback port (distribution cannot listen on port 0: a free one is picked, retried when taken). */
export async function startRegistry(options: RegistryOptions = {}): Promise<TestRegistry> {
  const skip = registrySkipReason();
  if (skip !== null) throw new Error(skip);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cosiflash-registry-'));
  const storageDir = options.storageDir ?? path.join(dir, 'storage');
  await mkdir(storageDir, { recursive: true });
  for (let attempt = 1; ; attempt += 1) {
    const port = await freePort();
    const configPath = path.join(dir, 'config.yml');
    await writeFile(configPath, registryConfig({ ...options, storageDir, port }));
    try {
      const { child, output } = await launch(configPath, port);
      const scheme = options.tls === undefined ? 'http' : 'https';
      return {
        host: `127.0.0.1:${port}`,
        baseUrl: `${scheme}://127.0.0.1:${port}`,
        storageDir,
        log: () => parseLog(output()),
        close: async () => {
          await stopProcess(child);
          await rm(dir, { recursive: true, force: true });
        },
      };
    } catch (error) {
      if (attempt < 4 && /address already in use/i.test(String(error))) continue;
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
  }
}

function registryConfig(options: RegistryOptions & { storageDir: string; port: number }): string {
  const lines = [
    'version: 0.1',
    'log:',
    '  level: info',
    '  formatter: json',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${JSON.stringify(options.storageDir)}`,
    '  delete:',
    '    enabled: true',
    '  maintenance:',
    '    uploadpurging:',
    '      enabled: false',
    'http:',
    `  addr: 127.0.0.1:${options.port}`,
    '  secret: cosiflash-test-secret',
  ];
  if (options.tls !== undefined) lines.push('  tls:', `    certificate: ${JSON.stringify(options.tls.certPath)}`, `    key: ${JSON.stringify(options.tls.keyPath)}`);
  if (options.htpasswdPath !== undefined) lines.push('auth:', '  htpasswd:', '    realm: cosiflash-test', `    path: ${JSON.stringify(options.htpasswdPath)}`);
  if (options.redirectBaseUrl !== undefined) lines.push('middleware:', '  storage:', '    - name: redirect', '      options:', `        baseurl: ${JSON.stringify(options.redirectBaseUrl)}`);
  return `${lines.join('\n')}\n`;
}

async function launch(configPath: string, port: number): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(DOCKER_REGISTRY_PATH, ['serve', configPath], { stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: '/usr/bin:/bin', HOME: os.tmpdir() } });
  // The registry logs (JSON, one object a line) to stderr.
  let stderr = '';
  child.stderr?.on('data', (data: Buffer) => {
    stderr += data.toString();
  });
  try {
    await waitForPort(port, child, () => stderr, { name: 'docker-registry', fatal: /address already in use/i });
  } catch (error) {
    await stopProcess(child);
    throw error;
  }
  return { child, output: () => stderr };
}

function parseLog(text: string): RegistryLogEntry[] {
  const entries: RegistryLogEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue;
    }
    if (record['msg'] !== 'response completed' || typeof record['http.request.uri'] !== 'string') continue;
    entries.push({
      method: String(record['http.request.method']),
      uri: record['http.request.uri'],
      status: Number(record['http.response.status']),
      writtenBytes: Number(record['http.response.written'] ?? 0),
    });
  }
  return entries;
}


/** An htpasswd file with one bcrypt user (apache2-utils `htpasswd -B`). */
export async function makeHtpasswd(dir: string, user: string, password: string): Promise<string> {
  const file = path.join(dir, 'htpasswd');
  await execTool('/usr/bin/htpasswd', ['-B', '-b', '-c', file, user, password]);
  return file;
}

function execTool(command: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(command, [...args], (error, _stdout, stderr) => (error === null ? resolve() : reject(new Error(`${command} failed: ${stderr}`))));
  });
}

/** How test code talks to the registry: its CA and credentials. */
export interface PushClient {
  readonly baseUrl: string;
  readonly dispatcher: Dispatcher;
  readonly authorization?: string;
}

/** A client for `registry`, trusting `caPath` when given. */
export async function pushClient(registry: TestRegistry, options: { caPath?: string; username?: string; password?: string } = {}): Promise<PushClient> {
  const ca = options.caPath === undefined ? undefined : await readFile(options.caPath, 'utf8');
  return {
    baseUrl: registry.baseUrl,
    dispatcher: new Agent(ca === undefined ? {} : { connect: { ca } }),
    ...(options.username === undefined ? {} : { authorization: `Basic ${Buffer.from(`${options.username}:${options.password ?? ''}`).toString('base64')}` }),
  };
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  artifactType?: string;
}

export function sha256Digest(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Uploads a blob with the registry API (POST an upload, PUT its bytes with the digest). */
export async function pushBlob(client: PushClient, repository: string, bytes: Buffer, mediaType: string, annotations?: Record<string, string>): Promise<Descriptor> {
  const digest = sha256Digest(bytes);
  const headers = client.authorization === undefined ? {} : { authorization: client.authorization };
  const started = await request(`${client.baseUrl}/v2/${repository}/blobs/uploads/`, { method: 'POST', dispatcher: client.dispatcher, headers });
  await started.body.dump();
  if (started.statusCode !== 202) throw new Error(`blob upload POST answered ${started.statusCode}`);
  const location = new URL(String(started.headers['location']), client.baseUrl);
  location.searchParams.set('digest', digest);
  const put = await request(location, { method: 'PUT', dispatcher: client.dispatcher, headers: { ...headers, 'content-type': 'application/octet-stream', 'content-length': String(bytes.length) }, body: bytes });
  const text = await put.body.text();
  if (put.statusCode !== 201) throw new Error(`blob upload PUT answered ${put.statusCode}: ${text}`);
  return { mediaType, digest, size: bytes.length, ...(annotations === undefined ? {} : { annotations }) };
}

/** PUTs a manifest (or index) under `reference` (a tag or its digest); returns its digest. */
export async function pushManifest(client: PushClient, repository: string, reference: string, manifest: object): Promise<{ digest: string; bytes: Buffer }> {
  const bytes = Buffer.from(JSON.stringify(manifest));
  const mediaType = (manifest as { mediaType?: string }).mediaType ?? 'application/vnd.oci.image.manifest.v1+json';
  const headers = { 'content-type': mediaType, ...(client.authorization === undefined ? {} : { authorization: client.authorization }) };
  const put = await request(`${client.baseUrl}/v2/${repository}/manifests/${reference}`, { method: 'PUT', dispatcher: client.dispatcher, headers, body: bytes });
  const text = await put.body.text();
  if (put.statusCode !== 201) throw new Error(`manifest PUT answered ${put.statusCode}: ${text}`);
  return { digest: sha256Digest(bytes), bytes };
}

export const COSI_TEST_LAYER_TYPE = 'application/vnd.cosiflash.test.cosi.layer.v1';

/**
 * Publishes a COSI the way `oras push` does: an OCI image manifest with the empty config and
 * the COSI as its one layer (title annotation), tagged `tag`. Returns the manifest digest.
 */
export async function pushCosiArtifact(client: PushClient, repository: string, tag: string, cosi: Buffer, options: { layerMediaType?: string; extraLayers?: Buffer[] } = {}): Promise<{ manifestDigest: string; layer: Descriptor }> {
  const config = await pushBlob(client, repository, Buffer.from('{}'), 'application/vnd.oci.empty.v1+json');
  const layer = await pushBlob(client, repository, cosi, options.layerMediaType ?? COSI_TEST_LAYER_TYPE, { 'org.opencontainers.image.title': 'image.cosi' });
  const extra: Descriptor[] = [];
  for (const [i, bytes] of (options.extraLayers ?? []).entries()) extra.push(await pushBlob(client, repository, bytes, 'application/octet-stream', { 'org.opencontainers.image.title': `extra-${i}.txt` }));
  const manifest = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    artifactType: 'application/vnd.cosiflash.test.cosi.v1',
    config,
    layers: [...extra, layer],
  };
  const { digest } = await pushManifest(client, repository, tag, manifest);
  return { manifestDigest: digest, layer };
}
