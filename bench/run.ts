/**
 * `npm run bench`: Cosiflash's flash against the shell pipelines it must beat, measured side
 * by side in one run on the same loop device and the same served file (docs testing.md,
 * "Benchmarks are not tests"). Needs root (loop device). Prints a markdown table of medians.
 *
 *   (a) cosiflash flash --no-verify --yes
 *   (b) per partition: curl -r | tee >(sha384sum) | zstd -d | dd oflag=direct iflag=fullblock
 *   (c) the equivalent zstd-compressed whole-disk image: curl | zstd -d | dd oflag=direct
 *   (d) cosiflash flash --yes (with read-back verification)
 *   (f) cosiflash flash --cache --no-verify from a warm cache; (g) the same, resumed after a
 *       SIGKILL at 50 % (bench/cache-rows.ts); bytes counted from nginx's access log
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildBenchImage, type BenchImage } from './build-bench-cosi.ts';
import { measureCacheRows } from './cache-rows.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CACHE = path.join(ROOT, 'bench', '.cache');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

interface Sample {
  readonly wallSeconds: number;
  readonly peakRssKiB: number;
  readonly cpuSeconds: number;
}

const log = (line: string): void => void process.stderr.write(`${line}\n`);

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** nginx (sendfile, one worker) serving the cache folder on 127.0.0.1. */
async function startNginx(): Promise<{ url: (name: string) => string; accessLog: string; stop: () => void }> {
  const port = await freePort();
  const prefix = path.join(CACHE, 'nginx');
  rmSync(prefix, { recursive: true, force: true });
  mkdirSync(path.join(prefix, 'logs'), { recursive: true });
  const conf = path.join(prefix, 'nginx.conf');
  writeFileSync(conf, `daemon off; master_process off; worker_processes 1; pid ${prefix}/nginx.pid; error_log stderr error;
events { worker_connections 64; }
http { access_log ${prefix}/access.log; sendfile on; tcp_nopush on; types { } default_type application/octet-stream;
  client_body_temp_path ${prefix}/tmp; proxy_temp_path ${prefix}/tmp; fastcgi_temp_path ${prefix}/tmp; uwsgi_temp_path ${prefix}/tmp; scgi_temp_path ${prefix}/tmp;
  server { listen 127.0.0.1:${port}; root ${CACHE}; } }
`);
  const child = spawn('nginx', ['-p', prefix, '-c', conf], { stdio: ['ignore', 'ignore', 'inherit'] });
  const url = (name: string): string => `http://127.0.0.1:${port}/${name}`;
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      execFileSync('curl', ['-sfI', url('image.json')], { stdio: 'ignore' });
      break;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return { url, accessLog: path.join(prefix, 'access.log'), stop: () => child.kill('SIGTERM') };
}

/** Runs `command` under GNU time; returns wall time, the largest process's peak RSS and total CPU. */
function measure(label: string, command: readonly string[]): Sample {
  const timeFile = path.join(CACHE, 'time.txt');
  try {
    execFileSync('/usr/bin/time', ['-f', '%e %M %U %S', '-o', timeFile, ...command], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    const stderr = String((error as { stderr?: Buffer }).stderr ?? '');
    throw new Error(`${label} failed: ${stderr.slice(-2000)}`, { cause: error });
  }
  const [wall, rss, user, sys] = readFileSync(timeFile, 'utf8').trim().split(/\s+/).slice(-4).map(Number);
  return { wallSeconds: wall ?? NaN, peakRssKiB: rss ?? NaN, cpuSeconds: (user ?? 0) + (sys ?? 0) };
}

function shellPipeline(image: BenchImage, url: string, device: string): string {
  const steps = image.regions.map((r) => {
    const range = `${r.tarOffsetBytes}-${r.tarOffsetBytes + r.compressedSize - 1}`;
    return `curl -sf -r ${range} '${url}' | tee >(sha384sum >/dev/null) | zstd -dc | dd of=${device} bs=4M oflag=direct,seek_bytes seek=${r.startLba * 512} iflag=fullblock status=none`;
  });
  return `set -eo pipefail; ${steps.join(' && ')}`;
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
};

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) {
    log('bench: needs root (it writes to a loop device it creates).');
    process.exitCode = 2;
    return;
  }
  mkdirSync(CACHE, { recursive: true });
  const image = buildBenchImage(CACHE, log);
  const writeBytes = image.regions.reduce((n, r) => n + r.uncompressedSize, 0);
  const backing = path.join(CACHE, 'target.img');
  writeFileSync(backing, '');
  execFileSync('truncate', ['-s', String(image.diskSizeBytes), backing]);
  // Direct I/O from the loop device to its backing file, as on a real disk: an O_DIRECT write
  // is then on the device when it returns, for every variant. In buffered mode the shell
  // pipelines would leave ~1.4 GB of dirty page cache behind (flushed during later runs),
  // while cosiflash pays for that flush in its fsync. BENCH_LOOP_DIO=0 measures that mode.
  const dio = process.env.BENCH_LOOP_DIO !== '0';
  const device = execFileSync('losetup', ['-f', '--show', `--direct-io=${dio ? 'on' : 'off'}`, backing], { encoding: 'utf8' }).trim();
  const server = await startNginx();
  try {
    const cosiUrl = server.url(path.basename(image.cosiPath));
    const diskUrl = server.url(path.basename(image.diskZstPath));
    const cli = [process.execPath, path.join(ROOT, 'bin', 'cosiflash.js'), 'flash', cosiUrl, '--disk', device, '--allow-loop', '--only', device, '--yes', '--hash', image.imageHash];
    const variants: Record<string, { readonly command: readonly string[]; readonly bytes: number }> = {
      a: { command: [...cli, '--no-verify'], bytes: writeBytes },
      b: { command: ['bash', '-c', shellPipeline(image, cosiUrl, device)], bytes: writeBytes },
      c: { command: ['bash', '-c', `set -eo pipefail; curl -sf '${diskUrl}' | zstd -dc | dd of=${device} bs=4M oflag=direct iflag=fullblock status=none`], bytes: image.diskSizeBytes },
      d: { command: cli, bytes: writeBytes },
    };
    log(`bench: ${device}, image ${(writeBytes / 1e6).toFixed(0)} MB to write, warming up…`);
    measure('warm-up c', variants.c!.command);
    measure('warm-up a', variants.a!.command);
    const samples: Record<string, Sample[]> = { a: [], b: [], c: [], d: [] };
    for (let round = 1; round <= ROUNDS; round++) {
      for (const name of ['a', 'b', 'c', 'd']) {
        const sample = measure(name, variants[name]!.command);
        samples[name]!.push(sample);
        log(`bench: round ${round} ${name}: ${sample.wallSeconds.toFixed(2)} s, ${(sample.peakRssKiB / 1024).toFixed(0)} MiB, ${sample.cpuSeconds.toFixed(2)} s CPU`);
      }
    }
    const fetch = [process.execPath, path.join(ROOT, 'bin', 'cosiflash.js'), 'cache', 'fetch', cosiUrl, '--hash', image.imageHash];
    const cacheRows = await measureCacheRows({ flash: cli, fetch, cacheHome: path.join(CACHE, 'xdg-cache'), accessLog: server.accessLog, imageBytes: statSync(image.cosiPath).size, rounds: ROUNDS, measure, log });
    const labels: Record<string, string> = {
      a: '(a) cosiflash flash --no-verify',
      b: '(b) curl -r \\| tee >(sha384sum) \\| zstd -d \\| dd, per partition',
      c: '(c) curl \\| zstd -d \\| dd, whole raw disk image',
      d: '(d) cosiflash flash (with read-back verify)',
    };
    const wall = (name: string): number => median(samples[name]!.map((s) => s.wallSeconds));
    const rows = ['a', 'b', 'c', 'd'].map((name) => {
      const s = samples[name]!;
      const seconds = wall(name);
      return `| ${labels[name]} | ${seconds.toFixed(2)} | ${(variants[name]!.bytes / 1e6 / seconds).toFixed(0)} | ${(median(s.map((x) => x.peakRssKiB)) / 1024).toFixed(0)} | ${median(s.map((x) => x.cpuSeconds)).toFixed(2)} |`;
    });
    const cacheRow = (label: string, list: readonly { readonly sample: Sample }[]): string => {
      if (list.length === 0) return `| ${label} | not measured: see the log above | | | |`;
      const seconds = median(list.map((x) => x.sample.wallSeconds));
      return `| ${label} | ${seconds.toFixed(2)} | ${(writeBytes / 1e6 / seconds).toFixed(0)} | ${(median(list.map((x) => x.sample.peakRssKiB)) / 1024).toFixed(0)} | ${median(list.map((x) => x.sample.cpuSeconds)).toFixed(2)} |`;
    };
    rows.push(cacheRow('(f) cosiflash flash --cache --no-verify, warm cache', cacheRows.f), cacheRow('(g) the same, resumed after a SIGKILL at 50 % (wall time of the resumed run)', cacheRows.g));
    const fSeconds = median(cacheRows.f.map((x) => x.sample.wallSeconds));
    const fBytes = Math.max(...cacheRows.f.map((x) => x.transferredBytes));
    const gRatio = cacheRows.g.length === 0 ? null : Math.max(...cacheRows.g.map((x) => x.transferredBytes)) / statSync(image.cosiPath).size;
    const table = [
      `Medians of ${ROUNDS} interleaved runs on ${device} (loop, direct I/O ${dio ? 'on' : 'off'}), served by nginx on 127.0.0.1; ${(writeBytes / 1e6).toFixed(0)} MB written by a/b/d, ${(image.diskSizeBytes / 1e6).toFixed(0)} MB by c.`,
      '',
      '| variant | wall s | MB/s written | peak RSS MiB (largest process) | CPU s (all processes) |',
      '|---|---|---|---|---|',
      ...rows,
      '',
      `Wall-time ratios (> 1 means cosiflash is faster): b/a = ${(wall('b') / wall('a')).toFixed(2)}, c/a = ${(wall('c') / wall('a')).toFixed(2)}, b/d = ${(wall('b') / wall('d')).toFixed(2)}`,
      `Image cache: (f) warm-cache flash a/f = ${(wall('a') / fSeconds).toFixed(2)} (goal > 1), at most ${(fBytes / 1024).toFixed(0)} KiB transferred (goal ≤ 1024 KiB); (g) killed at 50 % and resumed: ${gRatio === null ? 'not measured (no flash reported half its job before it ended)' : `at most ${gRatio.toFixed(3)}× the image transferred in total`} (goal ≤ 1.1×).`,
    ].join('\n');
    process.stdout.write(`${table}\n`);
  } finally {
    server.stop();
    execFileSync('losetup', ['-d', device]);
    rmSync(backing, { force: true });
  }
}

await main();
