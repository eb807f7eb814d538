/**
 * The expensive half of a COSI fixture: a sparse source disk with a real GPT (sgdisk), real
 * filesystems written into it at their offsets (mkfs.vfat + mcopy, mkfs.ext4 -d, optionally
 * resize2fs -M), a random raw partition, the primary GPT region cut from the disk, and each
 * region compressed with the zstd CLI. Cached by cosi-fixtures.ts.
 */
import { mkdir, stat, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FixturePartition } from './cosi-fixtures.ts';
import { readAt, run, withLoopDevice, writeFileAt, writeRandomFile, zstdCompress } from './cosi-fixture-tools.ts';
import { primaryGptLengthBytes } from './gpt-edit.ts';

const MiB = 1024 * 1024;

export interface FixturePartsOptions {
  lbaSize: 512 | 4096;
  diskSizeMiB: number | null;
  partitions: readonly FixturePartition[];
  zstdLevel: number;
  windowLog: number | null;
  frames: number;
}

export interface FixtureRegionPart {
  type: 'primary-gpt' | 'partition';
  number: number;
  name: string;
  typeGuid: string;
  startLba: number;
  partitionSizeBytes: number;
  uncompressedSize: number;
  /** File names relative to the parts dir. */
  rawFile: string;
  compressedFile: string;
  /** Base name of the compressed image inside the tar's images folder. */
  fileName: string;
  fs: { fsType: string; fsUuid: string; mountPoint: string } | null;
}

export interface FixtureParts {
  dir: string;
  lbaSize: 512 | 4096;
  diskSizeBytes: number;
  diskPath: string;
  diskGuid: string;
  zstdLevel: number;
  windowLog: number | null;
  regions: FixtureRegionPart[];
}

const DEFAULT_TYPES: Record<FixturePartition['kind'], string> = {
  esp: 'c12a7328-f81f-11d2-ba4b-00a0c93ec93b',
  ext4: '4f68bce3-e8cd-4db1-96e7-fbcaf984b709',
  raw: '0fc63daf-8483-4772-8e79-3d69d8477de4',
};

/** Builds every part into `dir` and writes `parts.json` (paths stored relative to `dir`). */
export async function buildFixtureParts(dir: string, options: FixturePartsOptions): Promise<void> {
  const { lbaSize } = options;
  const lbaPerMiB = MiB / lbaSize;
  let cursorMiB = 1;
  const planned = options.partitions.map((p) => {
    cursorMiB += p.gapBeforeMiB ?? 0;
    const startLba = cursorMiB * lbaPerMiB;
    cursorMiB += p.sizeMiB;
    return { ...p, startLba, endLba: cursorMiB * lbaPerMiB - 1, typeGuid: p.typeGuid ?? DEFAULT_TYPES[p.kind] };
  });
  const diskSizeBytes = (options.diskSizeMiB ?? Math.max(32, cursorMiB + 1)) * MiB;
  const diskPath = path.join(dir, 'disk.img');
  await writeFile(diskPath, '');
  await truncate(diskPath, diskSizeBytes);
  const sgdiskArgs = ['-o'];
  for (const p of planned) {
    sgdiskArgs.push('-n', `${p.number}:${p.startLba}:${p.endLba}`, '-t', `${p.number}:${p.typeGuid}`, '-c', `${p.number}:${p.name}`);
    for (const bit of p.attributeBits ?? []) sgdiskArgs.push('-A', `${p.number}:set:${bit}`);
  }
  if (lbaSize === 512) {
    await run('sgdisk', [...sgdiskArgs, diskPath]);
  } else {
    if (process.getuid?.() !== 0) throw new Error('4096-byte sector fixtures need root (losetup -b 4096)');
    await withLoopDevice(diskPath, 4096, (device) => run('sgdisk', [...sgdiskArgs, device]));
  }
  const header = await readAt(diskPath, lbaSize, lbaSize);
  const diskGuid = formatGuid(header.subarray(56, 72));
  const gptLength = primaryGptLengthBytes(header, lbaSize);
  await mkdir(path.join(dir, 'raw'));
  await mkdir(path.join(dir, 'z'));
  await writeFile(path.join(dir, 'raw', 'primary-gpt.raw'), await readAt(diskPath, 0, gptLength));
  const regions: FixtureRegionPart[] = [
    { type: 'primary-gpt', number: 0, name: 'primary-gpt', typeGuid: '', startLba: 0, partitionSizeBytes: gptLength, uncompressedSize: gptLength, rawFile: 'raw/primary-gpt.raw', compressedFile: 'z/primary-gpt.rawzst', fileName: 'primary-gpt.rawzst', fs: null },
  ];
  for (const p of planned) {
    const base = `p${p.number}-${p.name.replace(/[^A-Za-z0-9_-]/g, '_')}`;
    const rawFile = `raw/${base}.raw`;
    const partitionSizeBytes = (p.endLba - p.startLba + 1) * lbaSize;
    const fs = await makeFilesystem(path.join(dir, rawFile), p, { partitionSizeBytes, lbaSize });
    const uncompressedSize = (await stat(path.join(dir, rawFile))).size;
    await writeFileAt(path.join(dir, rawFile), diskPath, p.startLba * lbaSize);
    regions.push({ type: 'partition', number: p.number, name: p.name, typeGuid: p.typeGuid, startLba: p.startLba, partitionSizeBytes, uncompressedSize, rawFile, compressedFile: `z/${base}.rawzst`, fileName: `${base}.rawzst`, fs });
  }
  for (const region of regions) {
    await zstdCompress(path.join(dir, region.rawFile), path.join(dir, region.compressedFile), { level: options.zstdLevel, windowLog: options.windowLog, frames: options.frames, sizeBytes: region.uncompressedSize });
  }
  const parts: Omit<FixtureParts, 'dir' | 'diskPath'> = { lbaSize, diskSizeBytes, diskGuid, zstdLevel: options.zstdLevel, windowLog: options.windowLog, regions };
  await writeFile(path.join(dir, 'parts.json'), JSON.stringify(parts, null, 2));
}

async function makeFilesystem(imagePath: string, p: FixturePartition, context: { partitionSizeBytes: number; lbaSize: number }): Promise<FixtureRegionPart['fs']> {
  const workDir = `${imagePath}.d`;
  if (p.kind === 'raw') {
    if ((p.rawFill ?? 'random') === 'random') await writeRandomFile(imagePath, context.partitionSizeBytes);
    else await writeFile(imagePath, Buffer.alloc(context.partitionSizeBytes));
    return null;
  }
  await writeFile(imagePath, '');
  await truncate(imagePath, context.partitionSizeBytes);
  if (p.kind === 'esp') {
    await run('mkfs.vfat', ['-S', String(context.lbaSize), '-n', 'ESP', imagePath]);
    await mkdir(workDir, { recursive: true });
    await writeFile(path.join(workDir, 'BOOTX64.EFI'), Buffer.alloc(64 * 1024, 0x4d));
    await writeFile(path.join(workDir, 'grub.cfg'), `set timeout=0\nmenuentry "${p.name}" { linux /vmlinuz root=PARTLABEL=root }\n`);
    await run('mmd', ['-i', imagePath, '::/EFI', '::/EFI/BOOT']);
    await run('mcopy', ['-i', imagePath, path.join(workDir, 'BOOTX64.EFI'), path.join(workDir, 'grub.cfg'), '::/EFI/BOOT/']);
  } else {
    await mkdir(path.join(workDir, 'etc'), { recursive: true });
    await mkdir(path.join(workDir, 'usr', 'share', 'doc'), { recursive: true });
    await writeFile(path.join(workDir, 'etc', 'os-release'), 'ID=cosiflash-test\nVERSION_ID="1.0"\n');
    await writeFile(path.join(workDir, 'etc', 'hostname'), `${p.name}\n`);
    await writeFile(path.join(workDir, 'usr', 'share', 'doc', 'README'), 'Cosiflash fixture filesystem.\n'.repeat(2000));
    await run('mkfs.ext4', ['-q', '-F', '-b', '4096', '-L', p.name.slice(0, 16), '-d', workDir, imagePath]);
    if (p.shrink) {
      await run('e2fsck', ['-fy', imagePath]);
      await run('resize2fs', ['-M', imagePath]);
    }
  }
  const fsUuid = (await run('blkid', ['-o', 'value', '-s', 'UUID', imagePath])).trim();
  const fsType = (await run('blkid', ['-o', 'value', '-s', 'TYPE', imagePath])).trim();
  return { fsType, fsUuid, mountPoint: p.mountPoint ?? (p.kind === 'esp' ? '/boot/efi' : '/') };
}

/** Mixed-endian GPT GUID bytes → canonical lowercase text (UEFI 2.10 Appendix A). */
function formatGuid(bytes: Buffer): string {
  const hex = (b: Buffer): string => b.toString('hex');
  const le = (start: number, end: number): string => hex(Buffer.from(bytes.subarray(start, end)).reverse());
  return `${le(0, 4)}-${le(4, 6)}-${le(6, 8)}-${hex(bytes.subarray(8, 10))}-${hex(bytes.subarray(10, 16))}`;
}
