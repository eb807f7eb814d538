import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { CosiflashError } from '../errors.ts';
import { runCredentialHelper, type HelperLookup } from './credential-helper.ts';

/** Credentials for one registry, and where they came from (for messages; never the secret). */
export type RegistryCredentials =
  | { readonly kind: 'basic'; readonly username: string; readonly password: string; readonly from: string }
  | { readonly kind: 'identity-token'; readonly username: string; readonly token: string; readonly from: string };

export interface DockerConfigOptions {
  /** Environment to read DOCKER_CONFIG, HOME and PATH from (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /** How docker-credential-* programs are found (default: PATH as a user, system folders as root). */
  readonly helpers?: HelperLookup;
}

/** What the docker config says about one registry: credentials, or why there are none. */
export interface DockerConfigAnswer {
  readonly credentials: RegistryCredentials | null;
  /** The config file read (or that would be read). */
  readonly configPath: string;
  /** Helpers that were named but not run, with the reason (e.g. skipped as root). */
  readonly notes: readonly string[];
}

interface DockerConfigFile {
  auths?: Record<string, { auth?: unknown; username?: unknown; password?: unknown; identitytoken?: unknown }>;
  credsStore?: unknown;
  credHelpers?: Record<string, unknown>;
}

/**
 * The credentials docker, podman and oras would use for `registry`, from the docker config
 * (`$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`). Order: the registry's entry in
 * `credHelpers`, then the `credsStore` helper, then the inline `auths` entry (`auth` base64
 * user:password, `username`/`password`, or `identitytoken`). A helper that has nothing for the
 * registry moves on to the next source. No file or no entry → `credentials: null`.
 */
export async function dockerCredentialsFor(registry: string, options: DockerConfigOptions = {}): Promise<DockerConfigAnswer> {
  const env = options.env ?? process.env;
  const configDir = env['DOCKER_CONFIG'] !== undefined && env['DOCKER_CONFIG'] !== '' ? env['DOCKER_CONFIG'] : path.join(env['HOME'] ?? homedir(), '.docker');
  const configPath = path.join(configDir, 'config.json');
  const config = readConfig(configPath);
  const notes: string[] = [];
  if (config === null) return { credentials: null, configPath, notes };
  const keys = registryKeys(registry);
  const helperNames: { name: string; from: string }[] = [];
  const perRegistry = Object.entries(config.credHelpers ?? {}).find(([key]) => keys.has(normaliseKey(key)));
  if (perRegistry !== undefined && typeof perRegistry[1] === 'string' && perRegistry[1] !== '') helperNames.push({ name: perRegistry[1], from: `credHelpers["${perRegistry[0]}"]` });
  if (typeof config.credsStore === 'string' && config.credsStore !== '') helperNames.push({ name: config.credsStore, from: 'credsStore' });
  for (const helper of helperNames) {
    const result = await runCredentialHelper(helper.name, serverUrlFor(registry), { ...(options.helpers ?? {}), env });
    if (result.kind === 'skipped') {
      notes.push(`docker-credential-${helper.name} (${helper.from}) was not run: ${result.reason}`);
      continue;
    }
    if (result.kind === 'none') continue;
    const from = `docker-credential-${helper.name} (${helper.from} in ${configPath})`;
    return { credentials: result.username === '<token>' ? { kind: 'identity-token', username: '<token>', token: result.secret, from } : { kind: 'basic', username: result.username, password: result.secret, from }, configPath, notes };
  }
  const entry = Object.entries(config.auths ?? {}).find(([key]) => keys.has(normaliseKey(key)));
  if (entry === undefined) return { credentials: null, configPath, notes };
  const [key, value] = entry;
  const from = `auths["${key}"] in ${configPath}`;
  if (typeof value !== 'object' || value === null) return { credentials: null, configPath, notes };
  if (typeof value.identitytoken === 'string' && value.identitytoken !== '') {
    return { credentials: { kind: 'identity-token', username: typeof value.username === 'string' ? value.username : '<token>', token: value.identitytoken, from }, configPath, notes };
  }
  if (typeof value.auth === 'string' && value.auth !== '') {
    const decoded = Buffer.from(value.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) throw new CosiflashError('E_OCI_NO_CREDENTIALS', `The "auth" value of ${from} is not base64 of user:password.`, { hint: 'Log in again (docker login) to rewrite it.' });
    return { credentials: { kind: 'basic', username: decoded.slice(0, colon), password: decoded.slice(colon + 1), from }, configPath, notes };
  }
  if (typeof value.username === 'string' && typeof value.password === 'string') {
    return { credentials: { kind: 'basic', username: value.username, password: value.password, from }, configPath, notes };
  }
  return { credentials: null, configPath, notes };
}

function readConfig(configPath: string): DockerConfigFile | null {
  let text: string;
  try {
    text = readFileSync(configPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
    throw new CosiflashError('E_OCI_NO_CREDENTIALS', `The docker config ${configPath} cannot be read: ${(error as Error).message}`, { cause: error });
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
    return parsed as DockerConfigFile;
  } catch (error) {
    throw new CosiflashError('E_OCI_NO_CREDENTIALS', `The docker config ${configPath} is not valid JSON: ${(error as Error).message}`, { cause: error, hint: 'Fix or remove the file, then log in again.' });
  }
}

/** Keys of `auths`/`credHelpers` are written many ways: "host", "https://host", "https://host/v1/". */
function normaliseKey(key: string): string {
  return key.trim().toLowerCase().replace(/^[a-z]+:\/\//, '').replace(/\/.*$/, '');
}

function registryKeys(registry: string): Set<string> {
  const dockerHub = ['docker.io', 'index.docker.io', 'registry-1.docker.io'];
  return new Set(dockerHub.includes(registry) ? dockerHub : [registry]);
}

/** What a credential helper is asked for: docker passes the host, and Docker Hub's legacy URL. */
function serverUrlFor(registry: string): string {
  return ['docker.io', 'index.docker.io', 'registry-1.docker.io'].includes(registry) ? 'https://index.docker.io/v1/' : registry;
}
