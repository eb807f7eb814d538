/**
 * Builds the benchmark's realistic COSI once (cached under bench/.cache/): a 2 GiB disk with
 * an ESP (vfat, real files), an ext4 root holding a copy of /usr/share (≥ 600 MiB of real
 * files, `mkfs.ext4 -d`), a 16 MiB gap and a raw partition of random bytes. Also writes the
 * equivalent zstd-compressed whole-disk image for the "raw image" baseline.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';

const MiB = 1024 * 1024;
const LBA = 512;

export interface BenchRegion {
  readonly number: number;
  readonly name: string;
  readonly startLba: number;
  readonly uncompressedSize: number;
  readonly compressedSize: number;
  /** Data offset inside the tar. */
  readonly tarOffsetBytes: number;
}

export interface BenchImage {
  readonly cosiPath: string;
  readonly diskZstPath: string;
  readonly diskSizeBytes: number;
  readonly imageHash: string;
  /** Primary GPT first, then partitions in disk order. */
  readonly regions: readonly BenchRegion[];
}

const run = (command: string, args: readonly string[]): string => execFileSync(command, [...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * MiB });

function copyInto(diskPath: string, imagePath: string, offsetBytes: number): void {
  const input = openSync(imagePath, 'r');
  const output = openSync(diskPath, 'r+');
  const buffer = Buffer.alloc(8 * MiB);
  try {
    for (let position = 0; ; ) {
      const count = readSync(input, buffer, 0, buffer.length, position);
      if (count === 0) break;
      writeSync(output, buffer, 0, count, offsetBytes + position);
      position += count;
    }
  } finally {
    closeSync(input);
    closeSync(output);
  }
}

function sha384File(file: string): string {
  return createHash('sha384').update(readFileSync(file)).digest('hex');
}

/** Tar data offsets from `tar -tvR`-free parsing: walk the 512-byte headers of a plain GNU tar. */
function tarOffsets(cosiPath: string): Map<string, number> {
  const fd = openSync(cosiPath, 'r');
  const header = Buffer.alloc(512);
  const offsets = new Map<string, number>();
  try {
    for (let position = 0; ; ) {
      if (readSync(fd, header, 0, 512, position) < 512 || header.every((b) => b === 0)) break;
      const name = header.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
      const size = Number.parseInt(header.subarray(124, 136).toString('utf8').replace(/\0.*$/s, '').trim(), 8);
      offsets.set(name, position + 512);
      position += 512 + Math.ceil(size / 512) * 512;
    }
  } finally {
    closeSync(fd);
  }
  return offsets;
}

/** Builds (or reuses) the benchmark image in `cacheDir`. */
export function buildBenchImage(cacheDir: string, log: (line: string) => void): BenchImage {
  const done = path.join(cacheDir, 'image.json');
  if (existsSync(done)) return JSON.parse(readFileSync(done, 'utf8')) as BenchImage;
  const work = path.join(cacheDir, `build-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(path.join(work, 'stage', 'images'), { recursive: true });
  const diskSizeBytes = 2048 * MiB;
  const diskPath = path.join(work, 'disk.img');
  writeFileSync(diskPath, '');
  execFileSync('truncate', ['-s', String(diskSizeBytes), diskPath]);
  const parts = [
    { number: 1, name: 'esp', startLba: MiB / LBA, sizeBytes: 100 * MiB, type: 'c12a7328-f81f-11d2-ba4b-00a0c93ec93b' },
    { number: 2, name: 'root', startLba: (101 * MiB) / LBA, sizeBytes: 1200 * MiB, type: '4f68bce3-e8cd-4db1-96e7-fbcaf984b709' },
    { number: 3, name: 'data', startLba: (1317 * MiB) / LBA, sizeBytes: 64 * MiB, type: '0fc63daf-8483-4772-8e79-3d69d8477de4' },
  ];
  const sgdisk = ['-o'];
  for (const p of parts) sgdisk.push('-n', `${p.number}:${p.startLba}:${p.startLba + p.sizeBytes / LBA - 1}`, '-t', `${p.number}:${p.type}`, '-c', `${p.number}:${p.name}`);
  run('sgdisk', [...sgdisk, diskPath]);

  log('bench: building the ESP (vfat)…');
  const esp = path.join(work, 'esp.img');
  execFileSync('truncate', ['-s', String(parts[0]!.sizeBytes), esp]);
  run('mkfs.vfat', ['-n', 'ESP', esp]);
  run('mmd', ['-i', esp, '::/EFI', '::/EFI/BOOT']);
  const espFiles = ['/usr/share/common-licenses', '/usr/share/zoneinfo'].filter(existsSync);
  writeFileSync(path.join(work, 'BOOTX64.EFI'), randomBytes(2 * MiB));
  run('mcopy', ['-i', esp, path.join(work, 'BOOTX64.EFI'), '::/EFI/BOOT/']);
  for (const dir of espFiles) execFileSync('mcopy', ['-s', '-i', esp, dir, '::/'], { stdio: 'ignore' });
  log('bench: building the ext4 root from /usr/share (mkfs.ext4 -d)…');
  const root = path.join(work, 'root.img');
  execFileSync('truncate', ['-s', String(parts[1]!.sizeBytes), root]);
  run('mkfs.ext4', ['-q', '-F', '-b', '4096', '-L', 'root', '-d', '/usr/share', root]);
  const raw = path.join(work, 'data.img');
  writeFileSync(raw, randomBytes(parts[2]!.sizeBytes));
  const images = [esp, root, raw];
  parts.forEach((p, i) => copyInto(diskPath, images[i]!, p.startLba * LBA));

  log('bench: compressing the regions and the whole disk (zstd -3)…');
  const gptBytes = 34 * LBA;
  const primary = path.join(work, 'primary-gpt.img');
  const fd = openSync(diskPath, 'r');
  const gpt = Buffer.alloc(gptBytes);
  readSync(fd, gpt, 0, gptBytes, 0);
  closeSync(fd);
  writeFileSync(primary, gpt);
  const regionFiles = [{ file: primary, name: 'primary-gpt' }, ...parts.map((p, i) => ({ file: images[i]!, name: p.name }))];
  for (const r of regionFiles) run('zstd', ['-q', '-3', '-T1', '-f', r.file, '-o', path.join(work, 'stage', 'images', `${r.name}.rawzst`)]);
  const diskZstPath = path.join(cacheDir, 'disk.img.zst');
  run('zstd', ['-q', '-3', '-T0', '-f', diskPath, '-o', diskZstPath]);

  const imageFile = (name: string, rawFile: string) => {
    const zst = path.join(work, 'stage', 'images', `${name}.rawzst`);
    return { path: `images/${name}.rawzst`, compressedSize: statSync(zst).size, uncompressedSize: statSync(rawFile).size, sha384: sha384File(zst) };
  };
  const blkid = (file: string, tag: string): string => run('blkid', ['-o', 'value', '-s', tag, file]).trim();
  const metadata = {
    version: '1.2',
    osArch: 'x86_64',
    osRelease: 'NAME="Cosiflash Bench OS"\nID=cosiflash-bench\nVERSION_ID="1.0"\nPRETTY_NAME="Cosiflash Bench OS 1.0"\n',
    images: [
      { image: imageFile('esp', esp), mountPoint: '/boot/efi', fsType: 'vfat', fsUuid: blkid(esp, 'UUID'), partType: parts[0]!.type, verity: null },
      { image: imageFile('root', root), mountPoint: '/', fsType: 'ext4', fsUuid: blkid(root, 'UUID'), partType: parts[1]!.type, verity: null },
    ],
    osPackages: [{ name: 'bash', version: '5.2.15', release: '2', arch: 'x86_64' }],
    bootloader: { type: 'grub' },
    id: randomUUID(),
    compression: { maxWindowLog: 23 },
    disk: {
      size: diskSizeBytes,
      type: 'gpt',
      lbaSize: LBA,
      gptRegions: [
        { image: imageFile('primary-gpt', primary), type: 'primary-gpt' },
        ...parts.map((p, i) => ({ image: imageFile(p.name, images[i]!), type: 'partition', number: p.number })),
      ],
    },
  };
  const metadataBytes = Buffer.from(`${JSON.stringify(metadata, null, 2)}\n`);
  writeFileSync(path.join(work, 'stage', 'metadata.json'), metadataBytes);
  writeFileSync(path.join(work, 'stage', 'cosi-marker'), '');
  const cosiPath = path.join(cacheDir, 'bench.cosi');
  run('tar', ['--format=gnu', '--owner=0', '--group=0', '--numeric-owner', '-cf', cosiPath, '-C', path.join(work, 'stage'), 'cosi-marker', 'metadata.json', ...regionFiles.map((r) => `images/${r.name}.rawzst`)]);
  const offsets = tarOffsets(cosiPath);
  const regions: BenchRegion[] = metadata.disk.gptRegions.map((g, i) => ({
    number: i === 0 ? 0 : parts[i - 1]!.number,
    name: regionFiles[i]!.name,
    startLba: i === 0 ? 0 : parts[i - 1]!.startLba,
    uncompressedSize: g.image.uncompressedSize,
    compressedSize: g.image.compressedSize,
    tarOffsetBytes: offsets.get(g.image.path) ?? -1,
  }));
  const image: BenchImage = { cosiPath, diskZstPath, diskSizeBytes, imageHash: `sha384:${createHash('sha384').update(metadataBytes).digest('hex')}`, regions };
  rmSync(work, { recursive: true, force: true });
  writeFileSync(`${done}.tmp`, JSON.stringify(image, null, 2));
  renameSync(`${done}.tmp`, done);
  return image;
}
