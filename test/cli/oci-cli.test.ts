/**
 * `cosiflash inspect|flash oci://…` as a child process against Debian's docker-registry on
 * 127.0.0.1: TLS with a self-signed certificate trusted through NODE_EXTRA_CA_CERTS, htpasswd
 * auth with and without a docker config, and a bearer-token front door whose tokens expire
 * during the flash. Flashes are byte-exact onto loop devices (the flash engine's checks).
 */
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../../src/cli/exit-codes.ts';
import { buildCosiFixture, DEFAULT_PARTITIONS, type CosiFixture } from '../support/cosi-fixtures.ts';
import { makeSelfSignedCert } from '../support/self-signed-cert.ts';
import { makeHtpasswd, pushClient, pushCosiArtifact, registrySkipReason, startRegistry, type TestRegistry } from '../support/docker-registry.ts';
import { expectFlashedLike } from '../support/flash-checks.ts';
import { isRoot, withLoops } from '../support/loop-device.ts';
import { startTokenAuthProxy, type TokenAuthProxy } from '../support/token-auth-proxy.ts';
import { runCli } from './run-cli.ts';

const skip = registrySkipReason();
const OCI_FIXTURE = { partitions: [...DEFAULT_PARTITIONS, { number: 3, name: 'data', kind: 'raw' as const, sizeMiB: 4 }] };
const FAST = ['--retry-for', '1'];

describe.skipIf(skip !== null)(`cosiflash with oci:// references${skip === null ? '' : ` (skipped: ${skip})`}`, () => {
  let dir: string;
  let fixture: CosiFixture;
  let cert: { certPath: string; keyPath: string };
  let tlsRegistry: TestRegistry;
  let authRegistry: TestRegistry;
  let plainRegistry: TestRegistry;
  let tokenProxy: TokenAuthProxy;
  let manifestDigest: string;
  let authDigest: string;
  /** A DOCKER_CONFIG folder with no config.json: "no credentials" whatever the machine has. */
  let emptyDockerConfig: string;
  let goodDockerConfig: string;
  let badDockerConfig: string;

  const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ NODE_EXTRA_CA_CERTS: cert.certPath, DOCKER_CONFIG: emptyDockerConfig, ...extra });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cosiflash-oci-cli-'));
    fixture = await buildCosiFixture(OCI_FIXTURE);
    const cosi = await readFile(fixture.cosiPath);
    cert = await makeSelfSignedCert(dir, 'registry');
    tlsRegistry = await startRegistry({ tls: cert });
    ({ manifestDigest } = await pushCosiArtifact(await pushClient(tlsRegistry, { caPath: cert.certPath }), 'cosi/app', 'v1', cosi));

    const htpasswd = await makeHtpasswd(dir, 'flasher', 's3cret-pass');
    authRegistry = await startRegistry({ tls: cert, htpasswdPath: htpasswd });
    ({ manifestDigest: authDigest } = await pushCosiArtifact(await pushClient(authRegistry, { caPath: cert.certPath, username: 'flasher', password: 's3cret-pass' }), 'private/app', 'v1', cosi));

    plainRegistry = await startRegistry();
    await pushCosiArtifact(await pushClient(plainRegistry), 'tokened/app', 'v1', cosi);
    tokenProxy = await startTokenAuthProxy({ port: Number(plainRegistry.host.split(':')[1]) }, { username: 'robot', password: 'token-pass', requestsPerToken: 2 });

    emptyDockerConfig = path.join(dir, 'docker-empty');
    await mkdir(emptyDockerConfig);
    const auths = (user: string, password: string) => ({
      auths: {
        [authRegistry.host]: { auth: Buffer.from(`${user}:${password}`).toString('base64') },
        [`https://${tokenProxy.host}`]: { username: 'robot', password: 'token-pass' },
      },
    });
    goodDockerConfig = path.join(dir, 'docker-good');
    badDockerConfig = path.join(dir, 'docker-bad');
    await mkdir(goodDockerConfig);
    await mkdir(badDockerConfig);
    await writeFile(path.join(goodDockerConfig, 'config.json'), JSON.stringify(auths('flasher', 's3cret-pass')));
    await writeFile(path.join(badDockerConfig, 'config.json'), JSON.stringify(auths('flasher', 'wrong')));
  }, 120_000);

  afterAll(async () => {
    await tokenProxy?.close();
    for (const registry of [tlsRegistry, authRegistry, plainRegistry]) await registry?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('inspect over TLS trusts the private CA from NODE_EXTRA_CA_CERTS and says which rule chose the layer', async () => {
    const json = await runCli(['inspect', `oci://${tlsRegistry.host}/cosi/app:v1`, '--json'], { env: env() });
    expect(json.code, json.stderr).toBe(EXIT_CODES.ok);
    const parsed = JSON.parse(json.stdout) as { imageHash: string; source: { location: string; transferredBytes: number; oci: { layerRule: string; manifestDigest: string; credentialsFrom: string | null } } };
    expect(parsed.imageHash).toBe(fixture.imageHash);
    expect(parsed.source.location).toBe(`oci://${tlsRegistry.host}/cosi/app:v1`);
    expect(parsed.source.oci).toMatchObject({ layerRule: 'the only layer', manifestDigest, credentialsFrom: null });
    expect(parsed.source.transferredBytes).toBeLessThan(2 * 1024 * 1024);
    const text = await runCli(['inspect', `oci://${tlsRegistry.host}/cosi/app@${manifestDigest}`], { env: env() });
    expect(text.code, text.stderr).toBe(EXIT_CODES.ok);
    expect(text.stdout).toMatch(/Layer choice\s+the only layer/);
    expect(text.stdout).toContain(`Manifest     ${manifestDigest}`);
  });

  it('without the CA the TLS failure is named (exit 3); --plain-http is refused for a remote registry (exit 2)', async () => {
    const untrusted = await runCli(['inspect', `oci://${tlsRegistry.host}/cosi/app:v1`, ...FAST], { env: { DOCKER_CONFIG: emptyDockerConfig, NODE_EXTRA_CA_CERTS: '' } });
    expect(untrusted.code).toBe(EXIT_CODES.invalidInput);
    expect(untrusted.stderr).toMatch(/E_CONNECT/);
    expect(untrusted.stderr).toMatch(/TLS|certificate/i);
    const remote = await runCli(['inspect', 'oci://registry.example.com/cosi/app:v1', '--plain-http'], { env: env() });
    expect(remote.code).toBe(EXIT_CODES.usage);
    expect(remote.stderr).toMatch(/E_INPUT.*\n.*only for a registry on this machine/);
  });

  it('a missing tag is E_OCI_NOT_FOUND, exit 3', async () => {
    const result = await runCli(['inspect', `oci://${tlsRegistry.host}/cosi/app:v9`], { env: env() });
    expect(result.code).toBe(EXIT_CODES.invalidInput);
    expect(result.stderr).toMatch(/E_OCI_NOT_FOUND/);
    expect(result.stderr).toContain('"v9"');
  });

  it('htpasswd: no credentials fails clearly, wrong ones are denied, the docker config ones work', async () => {
    const location = `oci://${authRegistry.host}/private/app:v1`;
    const none = await runCli(['inspect', location], { env: env() });
    expect(none.code).toBe(EXIT_CODES.invalidInput);
    expect(none.stderr).toMatch(/E_OCI_NO_CREDENTIALS/);
    expect(none.stderr).toContain(`none were found for it in ${path.join(emptyDockerConfig, 'config.json')}`);
    const wrong = await runCli(['inspect', location], { env: env({ DOCKER_CONFIG: badDockerConfig }) });
    expect(wrong.code).toBe(EXIT_CODES.invalidInput);
    expect(wrong.stderr).toMatch(/E_OCI_DENIED/);
    const good = await runCli(['inspect', location, '--json'], { env: env({ DOCKER_CONFIG: goodDockerConfig }) });
    expect(good.code, good.stderr).toBe(EXIT_CODES.ok);
    const parsed = JSON.parse(good.stdout) as { imageHash: string; source: { oci: { credentialsFrom: string } } };
    expect(parsed.imageHash).toBe(fixture.imageHash);
    expect(parsed.source.oci.credentialsFrom).toBe(`auths["${authRegistry.host}"] in ${path.join(goodDockerConfig, 'config.json')}`);
  });

  it.skipIf(!isRoot())('flash by tag over TLS and by digest from the htpasswd registry, byte-exact onto loop devices', async () => {
    await withLoops([{ sizeBytes: fixture.diskSizeBytes }, { sizeBytes: fixture.diskSizeBytes }], async ([first, second]) => {
      const byTag = await runCli(['flash', `oci://${tlsRegistry.host}/cosi/app:v1`, '--disk', first!.device, '--allow-loop', '--only', first!.device, '--yes', ...FAST], { env: env() });
      expect(byTag.code, byTag.stdout + byTag.stderr).toBe(EXIT_CODES.ok);
      expect(byTag.stdout).toMatch(/VERIFIED/);
      await expectFlashedLike(first!.device, fixture, { sameSize: true });
      const byDigest = await runCli(['flash', `oci://${authRegistry.host}/private/app@${authDigest}`, '--hash', fixture.imageHash, '--disk', second!.device, '--allow-loop', '--only', second!.device, '--yes', ...FAST], { env: env({ DOCKER_CONFIG: goodDockerConfig }) });
      expect(byDigest.code, byDigest.stdout + byDigest.stderr).toBe(EXIT_CODES.ok);
      await expectFlashedLike(second!.device, fixture, { sameSize: true });
    });
  }, 120_000);

  it.skipIf(!isRoot())('bearer tokens that expire during the flash are renewed and the flash completes', async () => {
    const before = { ...tokenProxy.stats };
    await withLoops([{ sizeBytes: fixture.diskSizeBytes }], async ([disk]) => {
      const result = await runCli(['flash', `oci://${tokenProxy.host}/tokened/app:v1`, '--plain-http', '--disk', disk!.device, '--allow-loop', '--only', disk!.device, '--yes', ...FAST], { env: env({ DOCKER_CONFIG: goodDockerConfig }) });
      expect(result.code, result.stdout + result.stderr).toBe(EXIT_CODES.ok);
      await expectFlashedLike(disk!.device, fixture, { sameSize: true });
    });
    // Two requests per token: the planning inspect and the writer's flash needed many tokens.
    expect(tokenProxy.stats.tokensIssued - before.tokensIssued).toBeGreaterThanOrEqual(3);
    expect(tokenProxy.stats.challenges - before.challenges).toBe(tokenProxy.stats.tokensIssued - before.tokensIssued);
    expect(tokenProxy.stats.tokenRefusals).toBe(before.tokenRefusals);
    // Without credentials the token service refuses: exit 3, named.
    const anonymous = await runCli(['inspect', `oci://${tokenProxy.host}/tokened/app:v1`, '--plain-http'], { env: env() });
    expect(anonymous.code).toBe(EXIT_CODES.invalidInput);
    expect(anonymous.stderr).toMatch(/E_OCI_NO_CREDENTIALS/);
  }, 120_000);
});
