/**
 * Credentials from a docker config: inline `auths` in their several spellings, and real
 * docker-credential-* programs (shell scripts written here, run through the helper protocol:
 * `get`, server URL on stdin, JSON on stdout). As root, a helper only on PATH is not run.
 */
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerCredentialsFor } from '../../src/source/docker-config.ts';

let dir: string;
let helpers: string;
let emptyDir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cosiflash-docker-config-'));
  helpers = path.join(dir, 'bin');
  emptyDir = path.join(dir, 'empty');
  await mkdir(helpers);
  await mkdir(emptyDir);
  const script = async (name: string, body: string): Promise<void> => {
    const file = path.join(helpers, `docker-credential-${name}`);
    await writeFile(file, `#!/bin/sh\n[ "$1" = get ] || exit 9\n${body}\n`);
    await chmod(file, 0o755);
  };
  await script('good', 'read server; echo "$server" > "$HELPER_LOG"; printf \'{"ServerURL":"%s","Username":"helper-user","Secret":"helper-secret"}\' "$server"');
  await script('token', 'read server; printf \'{"ServerURL":"%s","Username":"<token>","Secret":"refresh-123"}\' "$server"');
  await script('empty', 'echo "credentials not found in native keychain"; exit 1');
  await script('broken', 'echo "keyring locked: cannot unlock" >&2; exit 3');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function configDir(name: string, config: unknown): Promise<string> {
  const folder = path.join(dir, name);
  await mkdir(folder, { recursive: true });
  await writeFile(path.join(folder, 'config.json'), JSON.stringify(config));
  return folder;
}

const userEnv = (dockerConfig: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ DOCKER_CONFIG: dockerConfig, PATH: `${helpers}:/usr/bin:/bin`, HELPER_LOG: path.join(dir, 'helper.log'), ...extra });

describe('dockerCredentialsFor', () => {
  it('no config file: no credentials, and the path it looked at (DOCKER_CONFIG honoured)', async () => {
    const answer = await dockerCredentialsFor('reg.example', { env: { DOCKER_CONFIG: emptyDir } });
    expect(answer).toEqual({ credentials: null, configPath: path.join(emptyDir, 'config.json'), notes: [] });
    const home = await dockerCredentialsFor('reg.example', { env: { HOME: emptyDir } });
    expect(home.configPath).toBe(path.join(emptyDir, '.docker', 'config.json'));
  });

  it('reads auths: base64 auth, username/password, identitytoken, whatever the key spelling', async () => {
    const folder = await configDir('inline', {
      auths: {
        'https://reg.example/v1/': { auth: Buffer.from('alice:pa:ss').toString('base64') },
        'other.example:5000': { username: 'bob', password: 'pw' },
        'tokens.example': { identitytoken: 'id-tok' },
        'https://index.docker.io/v1/': { auth: Buffer.from('hub:hubpw').toString('base64') },
      },
    });
    const env = { DOCKER_CONFIG: folder };
    expect((await dockerCredentialsFor('reg.example', { env })).credentials).toEqual({ kind: 'basic', username: 'alice', password: 'pa:ss', from: `auths["https://reg.example/v1/"] in ${path.join(folder, 'config.json')}` });
    expect((await dockerCredentialsFor('other.example:5000', { env })).credentials).toMatchObject({ kind: 'basic', username: 'bob', password: 'pw' });
    expect((await dockerCredentialsFor('tokens.example', { env })).credentials).toMatchObject({ kind: 'identity-token', token: 'id-tok' });
    expect((await dockerCredentialsFor('docker.io', { env })).credentials).toMatchObject({ username: 'hub' });
    expect((await dockerCredentialsFor('unknown.example', { env })).credentials).toBeNull();
  });

  it('credHelpers runs the registry helper with the server on stdin; "<token>" means an identity token', async () => {
    const folder = await configDir('helpers', { credHelpers: { 'reg.example': 'good', 'tok.example': 'token' }, auths: { 'reg.example': { auth: Buffer.from('inline:no').toString('base64') } } });
    const answer = await dockerCredentialsFor('reg.example', { env: userEnv(folder), helpers: { root: false } });
    expect(answer.credentials).toEqual({ kind: 'basic', username: 'helper-user', password: 'helper-secret', from: `docker-credential-good (credHelpers["reg.example"] in ${path.join(folder, 'config.json')})` });
    expect((await readFile(path.join(dir, 'helper.log'), 'utf8')).trim()).toBe('reg.example');
    expect((await dockerCredentialsFor('tok.example', { env: userEnv(folder), helpers: { root: false } })).credentials).toMatchObject({ kind: 'identity-token', token: 'refresh-123' });
  });

  it('a credsStore with nothing for the registry falls back to auths; a failing helper is E_OCI_CREDENTIAL_HELPER', async () => {
    const folder = await configDir('store', { credsStore: 'empty', auths: { 'reg.example': { auth: Buffer.from('inline:yes').toString('base64') } } });
    expect((await dockerCredentialsFor('reg.example', { env: userEnv(folder), helpers: { root: false } })).credentials).toMatchObject({ username: 'inline', password: 'yes' });
    const broken = await configDir('broken', { credsStore: 'broken' });
    await expect(dockerCredentialsFor('reg.example', { env: userEnv(broken), helpers: { root: false } })).rejects.toMatchObject({ code: 'E_OCI_CREDENTIAL_HELPER', detail: expect.stringMatching(/exit status 3.*keyring locked/) });
    const missing = await configDir('missing', { credsStore: 'not-installed' });
    const answer = await dockerCredentialsFor('reg.example', { env: userEnv(missing), helpers: { root: false } });
    expect(answer.credentials).toBeNull();
    expect(answer.notes.join()).toMatch(/docker-credential-not-installed \(credsStore\) was not run: it is not on PATH/);
  });

  it('as root a helper is taken from the system folders only, never from PATH', async () => {
    const folder = await configDir('root', { credHelpers: { 'reg.example': 'good' } });
    const skipped = await dockerCredentialsFor('reg.example', { env: userEnv(folder), helpers: { root: true, systemDirs: [emptyDir] } });
    expect(skipped.credentials).toBeNull();
    expect(skipped.notes.join()).toMatch(/running as root, helpers are taken from .* only, and .*docker-credential-good is on PATH only/);
    // The same helper installed in a system folder (here: the folder passed as one) is run.
    const system = await dockerCredentialsFor('reg.example', { env: { ...userEnv(folder), PATH: '/usr/bin:/bin' }, helpers: { root: true, systemDirs: [helpers] } });
    expect(system.credentials).toMatchObject({ username: 'helper-user' });
  });

  it('a config that is not JSON is an error naming the file', async () => {
    const folder = path.join(dir, 'bad-json');
    await mkdir(folder);
    await writeFile(path.join(folder, 'config.json'), '{ not json');
    await expect(dockerCredentialsFor('reg.example', { env: { DOCKER_CONFIG: folder } })).rejects.toMatchObject({ code: 'E_OCI_NO_CREDENTIALS', detail: expect.stringContaining(path.join(folder, 'config.json')) });
  });
});
