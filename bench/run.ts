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
 *   (e) one cosiflash flash --no-verify onto 3 loop devices (--disk A --disk B --disk C); goal ≤ 1.3× (a)
 *   (h) cosiflash flash --no-verify of a 32 MiB-disk image: fixed cost = wall − streaming (goal ≤ 0.25 s)
 * Every cosiflash row also prints the time from `flash` start to the first byte written and its
 * fixed cost, from its --json progress events (bench/timed-flash.ts; events come ≤ 4 Hz, so
 * both are exact to ≈0.25 s). `npm run bench -- --rows a,h` measures only those rows (to check
 * that a row works; the table then lacks the ratios of the rows left out).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildBenchImage, type BenchImage } from './build-bench-cosi.ts';
import { buildCosiFixture } from '../test/support/cosi-fixtures.ts';
import { measureCacheRows } from './cache-rows.ts';
import { timedFlash, type TimedFlash } from './timed-flash.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CACHE = path.join(ROOT, 'bench', '.cache');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const ALL_ROWS = ['a', 'b', 'c', 'd', 'e', 'h', 'f', 'g'];
/** `--rows a,h`: only these rows (default: all). */
function selectedRows(argv: readonly string[]): Set<string> {
  const at = argv.indexOf('--rows');
  if (at < 0) return new Set(ALL_ROWS);
  const rows = (argv[at + 1] ?? '').split(',').filter((r) => r !== '');
  const unknown = rows.filter((r) => !ALL_ROWS.includes(r));
  if (rows.length === 0 || unknown.length > 0) throw new Error(`bench: --rows takes a comma list of ${ALL_ROWS.join(', ')} (got ${argv[at + 1] ?? 'nothing'})`);
  return new Set(rows);
}
/** Rows run through cosiflash flash --json (first byte and fixed cost are known). */
const TIMED = new Set(['a', 'd', 'e', 'h']);

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
  const wanted = selectedRows(process.argv.slice(2));
  mkdirSync(CACHE, { recursive: true });
  const image = buildBenchImage(CACHE, log);
  // (h): a small image (a 32 MiB disk: ESP 8 MiB + ext4 root 22 MiB), built by the test fixture builder.
  const small = await buildCosiFixture({ partitions: [{ number: 1, name: 'esp', kind: 'esp', sizeMiB: 8 }, { number: 2, name: 'root', kind: 'ext4', sizeMiB: 22 }] });
  execFileSync('cp', [small.cosiPath, path.join(CACHE, 'small.cosi')]);
  const writeBytes = image.regions.reduce((n, r) => n + r.uncompressedSize, 0);
  const backing = path.join(CACHE, 'target.img');
  writeFileSync(backing, '');
  execFileSync('truncate', ['-s', String(image.diskSizeBytes), backing]);
  // Direct I/O from the loop device to its backing file, as on a real disk: an O_DIRECT write
  // is then on the device when it returns, for every variant. In buffered mode the shell
  // pipelines would leave ~1.4 GB of dirty page cache behind (flushed during later runs),
  // while cosiflash pays for that flush in its fsync. BENCH_LOOP_DIO=0 measures that mode.
  const dio = process.env.BENCH_LOOP_DIO !== '0';
  const attach = (file: string): string => execFileSync('losetup', ['-f', '--show', `--direct-io=${dio ? 'on' : 'off'}`, file], { encoding: 'utf8' }).trim();
  const device = attach(backing);
  /** Our own loop devices and backing files, detached by exact path in the finally. */
  const extra: { device: string; backing: string }[] = [];
  const addLoop = (name: string, sizeBytes: number): string => {
    const file = path.join(CACHE, name);
    writeFileSync(file, '');
    execFileSync('truncate', ['-s', String(sizeBytes), file]);
    const loop = attach(file);
    extra.push({ device: loop, backing: file });
    return loop;
  };
  const server = await startNginx();
  try {
    const many = wanted.has('e') ? [device, addLoop('target-e2.img', image.diskSizeBytes), addLoop('target-e3.img', image.diskSizeBytes)] : [device];
    const smallDevice = wanted.has('h') ? addLoop('target-h.img', small.diskSizeBytes) : device;
    const smallUrl = server.url('small.cosi');
    const cosiUrl = server.url(path.basename(image.cosiPath));
    const diskUrl = server.url(path.basename(image.diskZstPath));
    const cli = [process.execPath, path.join(ROOT, 'bin', 'cosiflash.js'), 'flash', cosiUrl, '--disk', device, '--allow-loop', '--only', device, '--yes', '--hash', image.imageHash];
    const variants: Record<string, { readonly command: readonly string[]; readonly bytes: number }> = {
      a: { command: [...cli, '--no-verify'], bytes: writeBytes },
      b: { command: ['bash', '-c', shellPipeline(image, cosiUrl, device)], bytes: writeBytes },
      c: { command: ['bash', '-c', `set -eo pipefail; curl -sf '${diskUrl}' | zstd -dc | dd of=${device} bs=4M oflag=direct iflag=fullblock status=none`], bytes: image.diskSizeBytes },
      d: { command: cli, bytes: writeBytes },
      e: { command: [process.execPath, path.join(ROOT, 'bin', 'cosiflash.js'), 'flash', cosiUrl, ...many.flatMap((d) => ['--disk', d]), '--allow-loop', '--only', many.join(','), '--yes', '--hash', image.imageHash, '--no-verify'], bytes: writeBytes },
      h: { command: [process.execPath, path.join(ROOT, 'bin', 'cosiflash.js'), 'flash', smallUrl, '--disk', smallDevice, '--allow-loop', '--only', smallDevice, '--yes', '--hash', small.imageHash, '--no-verify'], bytes: small.regions.filter((r) => r.type === 'partition').reduce((n, r) => n + r.uncompressedSize, 0) },
    };
    const names = ['a', 'b', 'c', 'd', 'e', 'h'].filter((n) => wanted.has(n));
    log(`bench: ${device}, image ${(writeBytes / 1e6).toFixed(0)} MB to write, warming up…`);
    if (wanted.has('c')) measure('warm-up c', variants.c!.command);
    if (wanted.has('a')) measure('warm-up a', variants.a!.command);
    const samples: Record<string, (Sample & Partial<TimedFlash>)[]> = { a: [], b: [], c: [], d: [], e: [], h: [] };
    for (let round = 1; round <= ROUNDS; round++) {
      for (const name of names) {
        const sample: Sample & Partial<TimedFlash> = TIMED.has(name) ? await timedFlash(name, variants[name]!.command, path.join(CACHE, 'time.txt')) : measure(name, variants[name]!.command);
        samples[name]!.push(sample);
        const timed = sample.firstByteSeconds === undefined ? '' : `, first byte ${sample.firstByteSeconds.toFixed(2)} s, fixed ${(sample.wallSeconds - (sample.streamingSeconds ?? NaN)).toFixed(2)} s`;
        log(`bench: round ${round} ${name}: ${sample.wallSeconds.toFixed(2)} s, ${(sample.peakRssKiB / 1024).toFixed(0)} MiB, ${sample.cpuSeconds.toFixed(2)} s CPU${timed}`);
      }
    }
    const fetch = [process.execPath, path.join(ROOT, 'bin', 'cosiflash.js'), 'cache', 'fetch', cosiUrl, '--hash', image.imageHash];
    const cacheRows = !wanted.has('f') && !wanted.has('g') ? { f: [], g: [] } : await measureCacheRows({ flash: cli, fetch, cacheHome: path.join(CACHE, 'xdg-cache'), accessLog: server.accessLog, imageBytes: statSync(image.cosiPath).size, rounds: ROUNDS, measure, log });
    const labels: Record<string, string> = {
      a: '(a) cosiflash flash --no-verify',
      b: '(b) curl -r \\| tee >(sha384sum) \\| zstd -d \\| dd, per partition',
      c: '(c) curl \\| zstd -d \\| dd, whole raw disk image',
      d: '(d) cosiflash flash (with read-back verify)',
      e: '(e) cosiflash flash --no-verify onto 3 disks at once (bytes: per disk)',
      h: '(h) cosiflash flash --no-verify, 32 MiB-disk image',
    };
    const wall = (name: string): number => median(samples[name]!.map((s) => s.wallSeconds));
    const timings = (s: readonly (Sample & Partial<TimedFlash>)[]): string => {
      if (s.length === 0 || s[0]?.firstByteSeconds === undefined) return '— | —';
      return `${median(s.map((x) => x.firstByteSeconds ?? NaN)).toFixed(2)} | ${median(s.map((x) => x.wallSeconds - (x.streamingSeconds ?? NaN))).toFixed(2)}`;
    };
    const rows = names.map((name) => {
      const s = samples[name]!;
      const seconds = wall(name);
      return `| ${labels[name]} | ${seconds.toFixed(2)} | ${(variants[name]!.bytes / 1e6 / seconds).toFixed(0)} | ${(median(s.map((x) => x.peakRssKiB)) / 1024).toFixed(0)} | ${median(s.map((x) => x.cpuSeconds)).toFixed(2)} | ${timings(s)} |`;
    });
    const cacheRow = (label: string, list: readonly { readonly sample: Sample }[]): string => {
      if (list.length === 0) return `| ${label} | not measured: see the log above | | | | | |`;
      const seconds = median(list.map((x) => x.sample.wallSeconds));
      return `| ${label} | ${seconds.toFixed(2)} | ${(writeBytes / 1e6 / seconds).toFixed(0)} | ${(median(list.map((x) => x.sample.peakRssKiB)) / 1024).toFixed(0)} | ${median(list.map((x) => x.sample.cpuSeconds)).toFixed(2)} | — | — |`;
    };
    if (wanted.has('f') || wanted.has('g')) rows.push(cacheRow('(f) cosiflash flash --cache --no-verify, warm cache', cacheRows.f), cacheRow('(g) the same, resumed after a SIGKILL at 50 % (wall time of the resumed run)', cacheRows.g));
    const fSeconds = median(cacheRows.f.map((x) => x.sample.wallSeconds));
    const fBytes = Math.max(...cacheRows.f.map((x) => x.transferredBytes));
    const gRatio = cacheRows.g.length === 0 ? null : Math.max(...cacheRows.g.map((x) => x.transferredBytes)) / statSync(image.cosiPath).size;
    const table = [
      `Medians of ${ROUNDS} interleaved runs on ${device} (loop, direct I/O ${dio ? 'on' : 'off'}), served by nginx on 127.0.0.1; ${(writeBytes / 1e6).toFixed(0)} MB written by a/b/d, ${(image.diskSizeBytes / 1e6).toFixed(0)} MB by c.`,
      '',
      '| variant | wall s | MB/s written | peak RSS MiB (largest process) | CPU s (all processes) | first byte written s | fixed cost s (wall − streaming) |',
      '|---|---|---|---|---|---|---|',
      ...rows,
      '',
      `Wall-time ratios (> 1 means cosiflash is faster): b/a = ${(wall('b') / wall('a')).toFixed(2)}, c/a = ${(wall('c') / wall('a')).toFixed(2)}, b/d = ${(wall('b') / wall('d')).toFixed(2)}`,
      `Fixed cost: (h) wall − streaming = ${wanted.has('h') ? timings(samples.h!).split(' | ')[1] : 'not measured'} s (goal ≤ 0.25); several disks: e/a = ${(wall('e') / wall('a')).toFixed(2)} (goal ≤ 1.3)`,
      `Image cache: (f) warm-cache flash a/f = ${(wall('a') / fSeconds).toFixed(2)} (goal > 1), at most ${(fBytes / 1024).toFixed(0)} KiB transferred (goal ≤ 1024 KiB); (g) killed at 50 % and resumed: ${gRatio === null ? 'not measured (no flash reported half its job before it ended)' : `at most ${gRatio.toFixed(3)}× the image transferred in total`} (goal ≤ 1.1×).`,
    ].join('\n');
    process.stdout.write(`${table}\n`);
  } finally {
    server.stop();
    execFileSync('losetup', ['-d', device]);
    rmSync(backing, { force: true });
    for (const loop of extra) {
      execFileSync('losetup', ['-d', loop.device]);
      rmSync(loop.backing, { force: true });
    }
  }
}

await main();
