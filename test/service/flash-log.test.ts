import { mkdtemp, readFile, rm, stat, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FlashReport } from '../../src/model/flash-progress.ts';
import { appendFlashLog, defaultFlashLogFile, flashLogCsv, flashLogEntry, readFlashLog } from '../../src/service/flash-log.ts';
import { invokingUser } from '../../src/util/invoking-user.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cosiflash-log-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function report(overrides: Partial<FlashReport> = {}): FlashReport {
  return {
    tool: 'cosiflash', toolVersion: '0.1.0', station: 'host-a', source: 'http://127.0.0.1:1/os.cosi', imageHash: 'sha384:ab',
    device: { path: '/dev/loop9', model: 'Stick', serial: 'S1', sizeBytes: 64 },
    startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:00:02.000Z', elapsedMs: 2000, writtenBytes: 4000, downloadedBytes: 100,
    bytesPerSecond: 2000, retries: 0, verified: true, outcome: 'verified', error: null, diskTouched: true,
    regions: [{ number: 0, name: 'partition table', startLba: 0, writtenBytes: 1, compressedSha384: '', compressedSha384Ok: true, uncompressedSha384: null, readBackOk: true, phase: 'verified', error: null }],
    ...overrides,
  };
}
const layout = { imageHash: 'sha384:ab', os: { prettyName: 'Test OS 1.0', id: 'test', versionId: '1.0' } };
const failure = { code: 'E_IMAGE_HASH', title: 't', detail: 'd' };

describe('flashLogEntry', () => {
  it('carries every field of a verified flash, with the image and disk facts the front end knew', () => {
    const disk = { device: '/dev/loop9', bus: 'USB', model: 'Stick', serial: 'S1', sizeBytes: 64 } as never;
    const entry = flashLogEntry(report(), { layout, disk, station: 'bench-7', operator: 'ana' });
    expect(entry).toEqual({
      toolVersion: '0.1.0', station: 'bench-7', operator: 'ana', startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:00:02.000Z',
      result: 'verified', errorCode: null,
      image: { location: 'http://127.0.0.1:1/os.cosi', imageHash: 'sha384:ab', os: 'Test OS 1.0', osVersion: '1.0' },
      device: { path: '/dev/loop9', sizeBytes: 64, model: 'Stick', serial: 'S1', bus: 'USB' },
      bytesDownloaded: 100, bytesWritten: 4000, throughputBytesPerSecond: 2000,
      partitions: [{ number: 0, name: 'partition table', verdict: 'verified', readBackOk: true }],
    });
  });

  it('tells a failure after writing from a refusal before it, and keeps cancelled', () => {
    expect(flashLogEntry(report({ outcome: 'failed', verified: false, error: failure })).result).toBe('failed');
    const refused = flashLogEntry(report({ outcome: 'failed', verified: false, error: failure, diskTouched: false }));
    expect(refused).toMatchObject({ result: 'refused', errorCode: 'E_IMAGE_HASH', station: 'host-a', operator: null });
    expect(flashLogEntry(report({ outcome: 'cancelled', verified: false, error: { ...failure, code: 'E_CANCELLED' } }))).toMatchObject({ result: 'cancelled', errorCode: 'E_CANCELLED' });
  });
});

describe('appendFlashLog', () => {
  it('appends one line per flash to a 0600 file in a 0700 folder, and reads them back since a date', async () => {
    const file = path.join(dir, 'cfg', 'cosiflash', 'flash-log.jsonl');
    await appendFlashLog(flashLogEntry(report()), { file, env: {} });
    await appendFlashLog(flashLogEntry(report({ startedAt: '2026-02-01T00:00:00.000Z', outcome: 'cancelled' })), { file, env: {} });
    const lines = (await readFile(file, 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[1]!)).toMatchObject({ result: 'cancelled' });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(file))).mode & 0o777).toBe(0o700);
    await appendFile(file, 'not json\n{"half":\n');
    expect((await readFlashLog(file)).map((e) => e.result)).toEqual(['verified', 'cancelled']);
    expect((await readFlashLog(file, { since: new Date('2026-01-15') })).map((e) => e.startedAt)).toEqual(['2026-02-01T00:00:00.000Z']);
    expect(await readFlashLog(path.join(dir, 'missing.jsonl'))).toEqual([]);
  });

  it('tightens an existing file to 0600', async () => {
    const file = path.join(dir, 'log.jsonl');
    await writeFile(file, '', { mode: 0o644 });
    await appendFlashLog(flashLogEntry(report()), { file, env: {} });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it.runIf(process.getuid?.() === 0)('under sudo, gives the file and the folders it created to the invoking user', async () => {
    const env = { SUDO_UID: '65534', SUDO_GID: '65534' };
    expect(invokingUser(env)).toMatchObject({ uid: 65534, gid: 65534 });
    const file = path.join(dir, 'a', 'b', 'flash-log.jsonl');
    await appendFlashLog(flashLogEntry(report()), { file, env });
    for (const p of [file, path.dirname(file), path.join(dir, 'a')]) expect((await stat(p)).uid).toBe(65534);
    expect((await stat(dir)).uid).toBe(0);
  });
});

describe('defaultFlashLogFile', () => {
  it('is flash-log.jsonl in $XDG_CONFIG_HOME/cosiflash', () => {
    expect(defaultFlashLogFile({ XDG_CONFIG_HOME: '/home/u/.cfg' })).toBe('/home/u/.cfg/cosiflash/flash-log.jsonl');
    expect(defaultFlashLogFile({ COSIFLASH_CONFIG_DIR: '/x/y' })).toBe('/x/y/flash-log.jsonl');
  });

  it.runIf(process.getuid?.() === 0)('under sudo, is the invoking user\'s config dir, not root\'s', async () => {
    const passwd = path.join(dir, 'passwd');
    await writeFile(passwd, 'root:x:0:0:root:/root:/bin/bash\nana:x:1000:1000::/home/ana:/bin/bash\n');
    expect(invokingUser({ SUDO_UID: '1000' }, passwd)).toEqual({ uid: 1000, gid: 1000, home: '/home/ana' });
    expect(invokingUser({ PKEXEC_UID: '1000' }, passwd)).toEqual({ uid: 1000, gid: 1000, home: '/home/ana' });
    expect(invokingUser({})).toBeNull();
  });
});

describe('flashLogCsv', () => {
  it('writes one quoted row per entry and defuses spreadsheet formulas', () => {
    const csv = flashLogCsv([flashLogEntry(report({ source: 'http://h/a,"b".cosi' }), { operator: '=cmd()' })]);
    const [header, row] = csv.split('\r\n');
    expect(header!.split(',')).toContain('deviceSerial');
    expect(row).toContain('"http://h/a,""b"".cosi"');
    expect(row).toContain("'=cmd()");
    expect(row).toContain('0:partition table=verified');
  });
});

describe('flashLogEntries (one line per disk)', () => {
  it('a multi-target report gives one line per target: its device, result, error, bytes; the image and station shared', async () => {
    const { failedTarget, multiTargetReport, targetReport } = await import('../support/multi-target-report.ts');
    const { makeDisk } = await import('../disk/make-disk.ts');
    const { flashLogEntries } = await import('../../src/service/flash-log.ts');
    const refused = failedTarget('/dev/loop3', { code: 'E_DISK_CHANGED', title: 't', detail: 'd' }, false);
    const job = multiTargetReport([targetReport('/dev/loop1'), failedTarget('/dev/loop2'), refused]);
    const entries = flashLogEntries(job, { layout, station: 'bench-7', operator: 'ana', disks: [makeDisk({ device: '/dev/loop2', bus: 'LOOP' })] });
    expect(entries.map((e) => [e.device.path, e.device.serial, e.result, e.errorCode])).toEqual([
      ['/dev/loop1', 'SER-1', 'verified', null],
      ['/dev/loop2', 'SER-2', 'failed', 'E_WRITE'],
      ['/dev/loop3', 'SER-3', 'refused', 'E_DISK_CHANGED'],
    ]);
    expect(entries[1]?.device.bus).toBe('LOOP');
    expect(entries[1]?.partitions).toEqual([{ number: 0, name: 'partition table', verdict: 'failed', readBackOk: null }]);
    expect(new Set(entries.map((e) => `${e.station} ${e.operator} ${e.image.imageHash} ${e.image.os}`))).toEqual(new Set(['bench-7 ana sha384:ab Test OS 1.0']));
    const file = path.join(dir, 'many.jsonl');
    await appendFlashLog(entries, { file, env: {} });
    expect((await readFlashLog(file)).map((e) => e.device.path)).toEqual(['/dev/loop1', '/dev/loop2', '/dev/loop3']);
  });

  it('a one-disk report gives exactly flashLogEntry; a flash not confirmed logs every chosen disk', async () => {
    const { flashLogEntries, flashLogEntriesBeforeWriting } = await import('../../src/service/flash-log.ts');
    const { makeDisk } = await import('../disk/make-disk.ts');
    expect(flashLogEntries(report(), { layout })).toEqual([flashLogEntry(report(), { layout })]);
    const disks = [makeDisk({ device: '/dev/loop1' }), makeDisk({ device: '/dev/loop2' })];
    const lines = flashLogEntriesBeforeWriting({ location: 'x.cosi', startedAt: new Date(), error: { code: 'E_CANCELLED' }, context: { disks, disk: disks[0] } });
    expect(lines.map((e) => [e.device.path, e.result])).toEqual([['/dev/loop1', 'cancelled'], ['/dev/loop2', 'cancelled']]);
  });
});
