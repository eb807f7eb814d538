/**
 * Plain sample data (a Layout, disks, a report) for renderer unit tests.
 */
import type { InspectResult } from '../../src/ipc/contract.ts';
import type { DiskCandidate, DiskInfo, IneligibleReason } from '../../src/model/disk-info.ts';
import type { FlashReport, RegionProgress, TargetReport } from '../../src/model/flash-progress.ts';
import type { Layout, PartitionLayout } from '../../src/model/layout.ts';
import { makeDisk } from '../disk/make-disk.ts';

const MiB = 1024 * 1024;

export function samplePartition(overrides: Partial<PartitionLayout> & { number: number; startLba: number; endLba: number }): PartitionLayout {
  return {
    name: `part${overrides.number}`,
    typeGuid: '0fc63daf-8483-4772-8e79-3d69d8477de4',
    typeName: 'Linux filesystem',
    partGuid: '00000000-0000-0000-0000-00000000000' + String(overrides.number),
    sizeBytes: (overrides.endLba - overrides.startLba + 1) * 512,
    attributes: '0',
    fsType: 'ext4',
    fsUuid: null,
    mountPoint: null,
    verity: null,
    image: { path: `images/p${overrides.number}.raw.zst`, compressedSize: MiB, uncompressedSize: 2 * MiB, sha384: 'ab'.repeat(48), tarOffsetBytes: 1536 },
    shrunk: false,
    ...overrides,
  };
}

/** A 64 MiB, 512-byte-sector disk: ESP 8 MiB at 1 MiB, a 4 MiB gap, root 40 MiB. */
export function sampleLayout(): Layout {
  const partitions = [
    samplePartition({ number: 1, name: 'esp', typeName: 'EFI System', fsType: 'vfat', mountPoint: '/boot/efi', startLba: 2048, endLba: 2048 + 16384 - 1 }),
    samplePartition({ number: 2, name: 'root', typeName: 'Root Partition (x86-64)', mountPoint: '/', startLba: 26624, endLba: 26624 + 81920 - 1 }),
  ];
  return {
    imageHash: `sha384:${'cd'.repeat(48)}`,
    version: '1.2',
    osArch: 'x86_64',
    os: { prettyName: 'Test Linux 3.0', id: 'testlinux', versionId: '3.0' },
    bootloader: { type: 'systemd-boot', entries: 1 },
    packages: [
      { name: 'bash', version: '5.2', release: '1', arch: 'x86_64' },
      { name: 'openssl', version: '3.3.1', release: '2', arch: 'x86_64' },
      { name: 'tzdata', version: '2024a', release: '1', arch: 'noarch' },
    ],
    compression: { maxWindowLog: 23 },
    disk: { sizeBytes: 64 * MiB, lbaSize: 512, guid: '11111111-2222-3333-4444-555555555555' },
    firstUsableLba: 34,
    lastUsableLba: (64 * MiB) / 512 - 34,
    primaryGpt: { path: 'images/gpt.raw.zst', compressedSize: 1024, uncompressedSize: 17408, sha384: 'ee'.repeat(48), tarOffsetBytes: 1024, startLba: 0 },
    partitions,
    gaps: [{ startLba: 18432, endLba: 26623, sizeBytes: 4 * MiB }],
    warnings: [],
    writeBytes: 17408 + 4 * MiB,
    downloadBytes: 1024 + 2 * MiB,
  };
}

export function sampleInspectResult(): InspectResult {
  return { layout: sampleLayout(), source: { location: 'http://127.0.0.1:1/os.cosi', kind: 'http', sizeBytes: 3 * MiB, localPath: null } };
}

export function sampleDisk(device: string, overrides: Partial<DiskInfo> = {}): DiskInfo {
  return makeDisk({ device, sizeBytes: 128 * MiB, model: 'Test Disk', vendor: null, serial: null, ...overrides });
}

export function candidate(disk: DiskInfo, options: { reasons?: IneligibleReason[]; selected?: boolean } = {}): DiskCandidate {
  const reasons = options.reasons ?? [];
  return { disk, reasons, eligible: reasons.length === 0, selected: options.selected ?? false };
}

export function region(number: number, overrides: Partial<RegionProgress> = {}): RegionProgress {
  return { number, name: number === 0 ? 'GPT' : `part${number}`, phase: 'waiting', compressedBytes: 1000, downloadedBytes: 0, uncompressedBytes: 4000, writtenBytes: 0, verifiedBytes: 0, ...overrides };
}

export function sampleReport(outcome: FlashReport['outcome'] = 'verified'): FlashReport {
  return {
    tool: 'cosiflash 0.1.0',
    toolVersion: '0.1.0',
    station: 'bench-1',
    diskTouched: true,
    source: 'http://127.0.0.1:1/os.cosi',
    imageHash: `sha384:${'cd'.repeat(48)}`,
    device: { path: '/dev/loop9', model: null, serial: null, sizeBytes: 128 * MiB },
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:00:02.000Z',
    elapsedMs: 2000,
    writtenBytes: 8000,
    downloadedBytes: 2000,
    bytesPerSecond: 4000,
    retries: 0,
    verified: outcome === 'verified',
    outcome,
    regions: [],
    error: null,
  };
}

/** One disk's section of a multi-disk report; a failed one failed writing, after touching the disk. */
export function sampleTarget(path: string, outcome: TargetReport['outcome'], overrides: Partial<TargetReport> = {}): TargetReport {
  return {
    device: { path, model: null, serial: null, sizeBytes: 1 << 30 },
    identity: null,
    startedAt: '2026-12-03T09:00:00.000Z',
    finishedAt: '2026-12-03T09:01:00.000Z',
    elapsedMs: 60_000,
    writtenBytes: 100,
    bytesPerSecond: 10,
    verified: outcome === 'verified',
    outcome,
    regions: [],
    error: outcome === 'failed' ? { code: 'E_WRITE', title: 'Writing failed', detail: 'No space left on device' } : null,
    diskTouched: true,
    ...overrides,
  };
}
