import { describe, expect, it } from 'vitest';
import { parseExpectedHash } from '../../src/cosi/image-hash.ts';
import type { DiskIdentity } from '../../src/model/disk-identity.ts';
import type { DiskInfo } from '../../src/model/disk-info.ts';
import { flashRequestFor, flashRequestForAll, planFlash, type PlanFlashInput, type PlanFlashServices } from '../../src/pipeline/plan-flash.ts';
import { spawnWriter } from '../../src/writer/spawn-writer.ts';
import { buildCosiFixture, type CosiFixture } from '../support/cosi-fixtures.ts';
import { hashDevice } from '../support/flash-checks.ts';
import { describeRootOnly, itRootOnly, withLoops } from '../support/loop-device.ts';
import { GiB, makeDisk } from '../disk/make-disk.ts';

const MiB = 1024 * 1024;
const OTHER_HASH = `sha384:${'ab'.repeat(48)}`;

/** The real image inspection of a real COSI; the disks are plain data (the rules are pure). */
function services(disks: readonly DiskInfo[], diskseqs: Record<string, string> = {}): PlanFlashServices {
  return {
    listDisks: async (options) => disks.filter((d) => (options.allowLoop === true || d.bus !== 'LOOP') && (options.onlyDevices === undefined || options.onlyDevices.includes(d.device))),
    findDisksHolding: async () => [],
    identityOf: (disk): DiskIdentity => ({ device: disk.device, sizeBytes: disk.sizeBytes, logicalSectorBytes: disk.logicalSectorBytes, diskseq: diskseqs[disk.device] ?? null, majMin: null, serial: disk.serial, model: disk.model }),
  };
}

function input(fixture: CosiFixture, overrides: Partial<PlanFlashInput> = {}): PlanFlashInput {
  return { location: fixture.cosiPath, targets: { kind: 'auto' }, verify: true, unmount: false, allowVirtual: false, ...overrides };
}

const small = makeDisk({ device: '/dev/sdb', sizeBytes: 4 * GiB, serial: 'S-SMALL' });
const large = makeDisk({ device: '/dev/sdc', sizeBytes: 64 * GiB, serial: 'S-LARGE' });
const tiny = makeDisk({ device: '/dev/sdd', sizeBytes: 8 * MiB, serial: 'S-TINY' });
const system = makeDisk({ device: '/dev/sda', sizeBytes: 32 * GiB, system: true, mountpoints: ['/'], removable: false });

describe('planFlash', () => {
  it('auto: the smallest eligible disk that fits, pinned to the image hash, with its identity', async () => {
    const fixture = await buildCosiFixture();
    const plan = await planFlash(input(fixture), services([system, large, tiny, small], { '/dev/sdb': '42' }));
    expect(plan.imageHash).toBe(fixture.imageHash);
    expect(plan.targets.map((t) => t.disk.device)).toEqual(['/dev/sdb']);
    expect(plan.targets[0]?.identity).toMatchObject({ device: '/dev/sdb', sizeBytes: 4 * GiB, diskseq: '42', serial: 'S-SMALL' });
    const request = flashRequestFor(plan, plan.targets[0]!);
    expect(request).toMatchObject({ source: fixture.cosiPath, device: '/dev/sdb', expectedHash: fixture.imageHash, verify: true, unmount: false, allowLoop: false, onlyDevices: ['/dev/sdb'] });
    expect(request.confirmedDisk).toEqual(plan.targets[0]?.identity);
  });

  it('auto with no disk that fits: E_NO_ELIGIBLE_DISK naming the reasons', async () => {
    const fixture = await buildCosiFixture();
    await expect(planFlash(input(fixture), services([system, tiny]))).rejects.toMatchObject({ code: 'E_NO_ELIGIBLE_DISK', message: expect.stringMatching(/\/dev\/sdd/) });
  });

  it('named: that disk even when a smaller one fits; several named disks are several targets', async () => {
    const fixture = await buildCosiFixture();
    const one = await planFlash(input(fixture, { targets: { kind: 'named', devices: [{ device: '/dev/sdc' }] } }), services([small, large]));
    expect(one.targets.map((t) => t.disk.device)).toEqual(['/dev/sdc']);
    const two = await planFlash(input(fixture, { targets: { kind: 'named', devices: [{ device: '/dev/sdc' }, { device: '/dev/sdb' }] } }), services([small, large]));
    expect(two.targets.map((t) => t.disk.device)).toEqual(['/dev/sdc', '/dev/sdb']);
    expect(two.targets.map((t) => flashRequestFor(two, t).onlyDevices)).toEqual([['/dev/sdc'], ['/dev/sdb']]);
    await expect(planFlash(input(fixture, { targets: { kind: 'named', devices: [{ device: '/dev/sdc' }, { device: '/dev/sdc' }] } }), services([small, large]))).rejects.toMatchObject({ code: 'E_INPUT' });
    await expect(planFlash(input(fixture, { targets: { kind: 'named', devices: [] } }), services([small, large]))).rejects.toMatchObject({ code: 'E_INPUT' });
  });

  it('count: the N smallest eligible disks that fit, each with its identity; flashRequestForAll names them all', async () => {
    const fixture = await buildCosiFixture();
    const mid = makeDisk({ device: '/dev/sde', sizeBytes: 16 * GiB, serial: 'S-MID' });
    const plan = await planFlash(input(fixture, { targets: { kind: 'count', count: 2 } }), services([system, large, tiny, mid, small]));
    expect(plan.targets.map((t) => [t.disk.device, t.identity.serial])).toEqual([['/dev/sdb', 'S-SMALL'], ['/dev/sde', 'S-MID']]);
    const request = flashRequestForAll(plan);
    expect(request).toMatchObject({ device: '/dev/sdb', onlyDevices: ['/dev/sdb', '/dev/sde'], moreTargets: [{ device: '/dev/sde' }] });
    await expect(planFlash(input(fixture, { targets: { kind: 'count', count: 4 } }), services([system, large, tiny, mid, small]))).rejects.toMatchObject({ code: 'E_NO_ELIGIBLE_DISK', message: expect.stringMatching(/4 disks were asked for, but only 3 can/) });
    await expect(planFlash(input(fixture, { targets: { kind: 'count', count: 0 } }), services([small]))).rejects.toMatchObject({ code: 'E_INPUT' });
    await expect(planFlash(input(fixture, { targets: { kind: 'count', count: 17 } }), services([small]))).rejects.toMatchObject({ code: 'E_INPUT' });
  });

  it('named but ineligible (system, too small, unknown, a partition): refused with the reason', async () => {
    const fixture = await buildCosiFixture();
    const named = (device: string): PlanFlashInput => input(fixture, { targets: { kind: 'named', devices: [{ device }] } });
    const withPartition = makeDisk({ device: '/dev/sde', partitions: [{ device: '/dev/sde1', sizeBytes: GiB, mountpoints: [] }] });
    const disks = [system, tiny, small, withPartition];
    await expect(planFlash(named('/dev/sda'), services(disks))).rejects.toMatchObject({ code: 'E_DISK_INELIGIBLE', message: expect.stringMatching(/\/dev\/sda/) });
    await expect(planFlash(named('/dev/sdd'), services(disks))).rejects.toMatchObject({ code: 'E_DISK_INELIGIBLE' });
    await expect(planFlash(named('/dev/sde1'), services(disks))).rejects.toMatchObject({ code: 'E_DISK_INELIGIBLE' });
    await expect(planFlash(named('/dev/sdz'), services(disks))).rejects.toMatchObject({ code: 'E_DISK_NOT_FOUND' });
    // --only narrows what may be a target at all.
    await expect(planFlash(input(fixture, { targets: { kind: 'named', devices: [{ device: '/dev/sdb' }] }, onlyDevices: ['/dev/sde'] }), services(disks))).rejects.toMatchObject({ code: 'E_DISK_NOT_FOUND' });
  });

  it('named with the identity the user was shown: the same disk passes, another disk under that name is E_DISK_CHANGED', async () => {
    const fixture = await buildCosiFixture();
    const shown: DiskIdentity = { device: '/dev/sdb', sizeBytes: 4 * GiB, logicalSectorBytes: 512, diskseq: '7', majMin: null, serial: 'S-SMALL', model: small.model };
    const named = input(fixture, { targets: { kind: 'named', devices: [{ device: '/dev/sdb', confirmed: shown }] } });
    const same = await planFlash(named, services([small], { '/dev/sdb': '7' }));
    expect(same.targets[0]?.identity).toEqual(shown);
    await expect(planFlash(named, services([small], { '/dev/sdb': '8' }))).rejects.toMatchObject({ code: 'E_DISK_CHANGED', message: expect.stringMatching(/diskseq 7 → 8/) });
    const swapped = makeDisk({ device: '/dev/sdb', sizeBytes: 4 * GiB, serial: 'OTHER' });
    await expect(planFlash(named, services([swapped]))).rejects.toMatchObject({ code: 'E_DISK_CHANGED' });
    // A confirmed identity for another path than the one named is a malformed request.
    await expect(planFlash(input(fixture, { targets: { kind: 'named', devices: [{ device: '/dev/sdc', confirmed: shown }] } }), services([small, large]))).rejects.toMatchObject({ code: 'E_INPUT' });
  });

  it('pinned: a reviewed or expected hash that is not the image is E_HASH_MISMATCH; the right one passes', async () => {
    const fixture = await buildCosiFixture();
    const ok = await planFlash(input(fixture, { reviewedImageHash: fixture.imageHash, expectedHash: parseExpectedHash(fixture.imageHash) }), services([small]));
    expect(ok.imageHash).toBe(fixture.imageHash);
    await expect(planFlash(input(fixture, { reviewedImageHash: OTHER_HASH }), services([small]))).rejects.toMatchObject({ code: 'E_HASH_MISMATCH', message: expect.stringMatching(/changed since you reviewed it/) });
    await expect(planFlash(input(fixture, { expectedHash: OTHER_HASH }), services([small]))).rejects.toMatchObject({ code: 'E_HASH_MISMATCH' });
    // Reviewed right but the typed hash wrong: still refused.
    await expect(planFlash(input(fixture, { reviewedImageHash: fixture.imageHash, expectedHash: OTHER_HASH }), services([small]))).rejects.toMatchObject({ code: 'E_HASH_MISMATCH' });
  });

  it('a prepared (already inspected) image is checked against the reviewed hash, not re-read', async () => {
    const fixture = await buildCosiFixture();
    const first = await planFlash(input(fixture), services([small]));
    const prepared = { layout: first.layout, source: { ...first.source, location: '/nonexistent/never-opened.cosi' } };
    const plan = await planFlash(input(fixture, { prepared, reviewedImageHash: fixture.imageHash }), services([small]));
    expect(plan.location).toBe('/nonexistent/never-opened.cosi');
    await expect(planFlash(input(fixture, { prepared, reviewedImageHash: OTHER_HASH }), services([small]))).rejects.toMatchObject({ code: 'E_HASH_MISMATCH' });
  });

  it('a request is only made for a target of the plan', async () => {
    const fixture = await buildCosiFixture();
    const plan = await planFlash(input(fixture), services([small]));
    expect(() => flashRequestFor(plan, { disk: large, identity: plan.targets[0]!.identity })).toThrow(/not a target/);
  });
});

describeRootOnly('planFlash with real loop devices and the writer', () => {
  itRootOnly('plans the smallest of the own loops; the writer refuses a plan whose pinned hash is not the image (nothing written)', async () => {
    const fixture = await buildCosiFixture();
    await withLoops([{ sizeBytes: fixture.diskSizeBytes + 16 * MiB }, { sizeBytes: fixture.diskSizeBytes }], async ([bigger, exact]) => {
      const only = [bigger!.device, exact!.device];
      const plan = await planFlash(input(fixture, { allowVirtual: true, onlyDevices: only }));
      expect(plan.targets.map((t) => t.disk.device)).toEqual([exact!.device]);
      const target = plan.targets[0]!;
      expect(target.identity.device).toBe(exact!.device);
      expect(target.identity.diskseq).toMatch(/^\d+$/);
      expect(target.identity.majMin).toMatch(/^\d+:\d+$/);

      const before = await hashDevice(exact!.device, fixture.diskSizeBytes);
      const tampered = { ...plan, imageHash: OTHER_HASH };
      const job = spawnWriter(flashRequestFor(tampered, tampered.targets[0]!), { elevate: false });
      for await (const event of job.events) void event;
      const report = await job.done;
      expect(report.outcome).toBe('failed');
      expect(report.error?.code).toBe('E_HASH_MISMATCH');
      expect(report.diskTouched).toBe(false);
      expect(await hashDevice(exact!.device, fixture.diskSizeBytes)).toBe(before);
    });
  }, 60_000);
});
