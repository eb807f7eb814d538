/**
 * `cosiflash flash --remote` and `disks --remote`: our CLI (a child process) against our station
 * (handler table + gRPC server in this process) on a Unix socket and over TLS with a token on
 * 127.0.0.1, and against a Trident-only server (no StationService: the client falls back to
 * StreamDisk). Loop devices only; every station offers only the test's own loops.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCosiFixture, type CosiFixture } from '../support/cosi-fixtures.ts';
import { expectFlashedLike, hashDevice } from '../support/flash-checks.ts';
import { describeRootOnly, itRootOnly, withLoops } from '../support/loop-device.ts';
import { serveFile, setUpGrpcTests, tearDownGrpcTests, withStation, type GrpcTestContext } from '../grpc/grpc-test-support.ts';
import { makeSelfSignedCert } from '../support/self-signed-cert.ts';
import { runCli } from './run-cli.ts';

const NO_TOKEN = { COSIFLASH_TOKEN: '' };
let context: GrpcTestContext;
let certFile: string;
let keyFile: string;
let tokenFile: string;
const TOKEN = 'fleet-test-token-0123456789abcdef';

beforeAll(async () => {
  context = await setUpGrpcTests();
  tokenFile = path.join(context.dir, 'token');
  // A self-signed certificate for 127.0.0.1: the client trusts exactly it through --tls-ca.
  ({ certPath: certFile, keyPath: keyFile } = await makeSelfSignedCert(context.dir, 'station'));
  await writeFile(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
});
afterAll(async () => {
  await tearDownGrpcTests(context);
});

/** A station on 127.0.0.1 (ephemeral port) with TLS and a token. */
async function tlsOptions(): Promise<{ address: { kind: 'tcp'; host: string; port: number }; tls: { certPem: Buffer; keyPem: Buffer }; token: string }> {
  return { address: { kind: 'tcp', host: '127.0.0.1', port: 0 }, tls: { certPem: await readFile(certFile), keyPem: await readFile(keyFile) }, token: TOKEN };
}

describe('disks --remote over TLS with a token (127.0.0.1)', () => {
  it('lists with the token from --token-file or COSIFLASH_TOKEN; refuses clearly without it, with a wrong one, and without the CA', async () => {
    await withStation(context, ['/dev/nonexistent-cosiflash-remote'], async ({ target }) => {
      const address = target;
      const ok = await runCli(['disks', '--remote', address, '--tls-ca', certFile, '--token-file', tokenFile, '--json'], { env: NO_TOKEN });
      expect(ok.stderr).toBe('');
      expect(ok.code).toBe(0);
      expect(JSON.parse(ok.stdout)).toEqual([]);
      const fromEnv = await runCli(['disks', '--remote', address, '--tls-ca', certFile], { env: { COSIFLASH_TOKEN: TOKEN } });
      expect(fromEnv.code).toBe(0);
      expect(fromEnv.stdout).toContain('(TLS)');

      const none = await runCli(['disks', '--remote', address, '--tls-ca', certFile], { env: NO_TOKEN });
      expect(none.code).toBe(4);
      expect(none.stderr).toMatch(/E_REMOTE_AUTH: The station refused access/);
      expect(none.stderr).toMatch(/--token-file/);
      await writeFile(path.join(context.dir, 'wrong-token'), 'not-the-token');
      const wrong = await runCli(['disks', '--remote', address, '--tls-ca', certFile, '--token-file', path.join(context.dir, 'wrong-token')], { env: NO_TOKEN });
      expect(wrong.code).toBe(4);
      expect(wrong.stderr).toMatch(/E_REMOTE_AUTH/);
      // Loopback without --tls-ca speaks plain gRPC, which a TLS station does not answer.
      const plain = await runCli(['disks', '--remote', address, '--token-file', tokenFile], { env: NO_TOKEN });
      expect(plain.code).toBe(4);
      expect(plain.stderr).toMatch(/E_REMOTE_UNREACHABLE: Cannot reach the station/);
    }, await tlsOptions());
  }, 60_000);

  it('bad --remote values are usage errors (exit 2)', async () => {
    expect((await runCli(['disks', '--remote', 'not an address'])).code).toBe(2);
    expect((await runCli(['flash', 'http://127.0.0.1:1/x.cosi', '--remote', 'unix:relative.sock', '--yes', '--auto'])).code).toBe(2);
    expect((await runCli(['disks', '--token-file', tokenFile])).code).toBe(2);
  });
});

describeRootOnly('flash --remote', () => {
  let fixture: CosiFixture;
  beforeAll(async () => {
    fixture = await buildCosiFixture();
  });

  itRootOnly('onto a Cosiflash station over its Unix socket: plan, progress, VERIFIED, exit 0, byte-exact, in the station log; disks --remote shows the disk', async () => {
    await withLoops([{ sizeBytes: fixture.diskSizeBytes }], async ([disk]) => {
      await withStation(context, [disk!.device], async ({ target, logFile }) => {
        const url = serveFile(context, fixture);
        const listed = await runCli(['disks', '--remote', target, '--for', url], { env: NO_TOKEN });
        expect(listed.code).toBe(0);
        expect(listed.stdout).toContain(`=> ${disk!.device}`);
        expect(listed.stdout).toContain(`The station would choose: ${disk!.device}`);

        const result = await runCli(['flash', url, '--remote', target, '--hash', fixture.imageHash, '--yes', '--auto'], { env: NO_TOKEN });
        expect(result.stderr).toBe('');
        expect(result.code).toBe(0);
        expect(result.stdout).toContain(`Target:  ${disk!.device}`);
        expect(result.stdout).toMatch(/Writing .* to /);
        expect(result.stdout).toMatch(new RegExp(`VERIFIED: .* to ${disk!.device.replace(/\//g, '\\/')}`));
        await expectFlashedLike(disk!.device, fixture, { sameSize: true });
        expect(JSON.parse((await readFile(logFile, 'utf8')).trim())).toMatchObject({ result: 'verified', device: { path: disk!.device } });
      });
    });
  }, 180_000);

  itRootOnly('over TLS with a token on 127.0.0.1, --json: NDJSON events and the report; byte-exact', async () => {
    await withLoops([{ sizeBytes: fixture.diskSizeBytes }], async ([disk]) => {
      await withStation(context, [disk!.device], async ({ target }) => {
        const result = await runCli(['flash', serveFile(context, fixture), '--remote', target, '--tls-ca', certFile, '--token-file', tokenFile, '--disk', disk!.device, '--yes', '--json'], { env: NO_TOKEN });
        expect(result.code).toBe(0);
        const events = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; report?: { outcome: string; device: { path: string } } });
        expect(events[0]).toMatchObject({ type: 'plan', device: disk!.device });
        expect(events.some((event) => event.type === 'progress')).toBe(true);
        expect(events.at(-1)).toMatchObject({ type: 'report', report: { outcome: 'verified', device: { path: disk!.device } } });
        await expectFlashedLike(disk!.device, fixture, { sameSize: true });
      }, await tlsOptions());
    });
  }, 180_000);

  itRootOnly('a wrong --hash is exit 3 and the disk is untouched', async () => {
    await withLoops([{ sizeBytes: fixture.diskSizeBytes }], async ([disk]) => {
      const before = await hashDevice(disk!.device, fixture.diskSizeBytes);
      await withStation(context, [disk!.device], async ({ target }) => {
        const result = await runCli(['flash', serveFile(context, fixture), '--remote', target, '--hash', `sha384:${'3'.repeat(96)}`, '--yes', '--auto'], { env: NO_TOKEN });
        expect(result.code).toBe(3);
        expect(result.stderr).toMatch(/E_HASH_MISMATCH/);
      });
      expect(await hashDevice(disk!.device, fixture.diskSizeBytes)).toBe(before);
    });
  }, 120_000);

  itRootOnly('onto a Trident-only server (no StationService): falls back to StreamDisk, SUCCEEDED, exit 0, byte-exact; --disk is refused there', async () => {
    await withLoops([{ sizeBytes: fixture.diskSizeBytes }], async ([disk]) => {
      await withStation(context, [disk!.device], async ({ target }) => {
        const url = serveFile(context, fixture);
        const named = await runCli(['flash', url, '--remote', target, '--disk', disk!.device, '--yes'], { env: NO_TOKEN });
        expect(named.code).toBe(2);
        expect(named.stderr).toMatch(/StreamDisk, which chooses the disk itself/);
        const result = await runCli(['flash', url, '--remote', target, '--hash', fixture.imageHash, '--yes', '--auto'], { env: NO_TOKEN });
        expect(result.stderr).toBe('');
        expect(result.code).toBe(0);
        expect(result.stdout).toContain('Trident StreamDisk');
        expect(result.stdout).toMatch(/: verified/);
        expect(result.stdout).toContain(`SUCCEEDED: the station wrote the image (image ${fixture.imageHash})`);
        await expectFlashedLike(disk!.device, fixture, { sameSize: true });
        const disks = await runCli(['disks', '--remote', target], { env: NO_TOKEN });
        expect(disks.code).toBe(4);
        expect(disks.stderr).toMatch(/no cosiflash.v1.StationService/);
      }, { tridentOnly: true });
    });
  }, 180_000);
});
