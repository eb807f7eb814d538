/**
 * Two requests that name no disk, at the same time, on a station with two free disks: each gets
 * its own disk (the smallest free one is chosen and reserved in one step), and both flash.
 * Before, both could read the same listing (one shared enumeration) and take the same disk, and
 * the second then failed with "A flash to … is already running" (seen in CI).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { createHandlers } from '../../src/service/create-handlers.ts';
import { StationServicing } from '../../src/service/station-servicing.ts';
import { buildCosiFixture } from '../support/cosi-fixtures.ts';
import { describeRootOnly, itRootOnly, withLoops } from '../support/loop-device.ts';
import { startRangeServer } from '../support/range-server.ts';

describeRootOnly('StationServicing with two free disks (root, loop devices)', () => {
  itRootOnly('two requests at once without a named disk take one disk each, and both verify', async () => {
    const fixture = await buildCosiFixture();
    const http = await startRangeServer({ files: { 'a.cosi': fixture.cosiPath } });
    const dir = await mkdtemp(path.join(tmpdir(), 'cosiflash-station-'));
    try {
      await withLoops([{ sizeBytes: fixture.diskSizeBytes }, { sizeBytes: fixture.diskSizeBytes + 1024 * 1024 }], async ([small, large]) => {
        const devices = [small!.device, large!.device];
        const runtime = createHandlers({ mode: 'web', allowLoop: true, onlyDevices: devices, configDir: dir, flashLogFile: path.join(dir, 'flash-log.jsonl'), station: 'test' });
        try {
          const station = new StationServicing({ runtime, allowLoop: true });
          const request = { location: http.url('a.cosi'), expectedHash: fixture.imageHash, devices: [], verify: true, unmount: false };
          const [first, second] = await Promise.all([station.admit([]), station.admit([])]);
          expect(first).not.toBeNull();
          expect(second).not.toBeNull();
          const reports = await Promise.all([first!, second!].map((admission) => station.flash(request, admission, () => undefined, new AbortController().signal)));
          const results = reports.flat().map((report) => ({ device: report.device.path, outcome: report.outcome, error: report.error?.code ?? null }));
          expect(results.map((r) => r.device).sort(), JSON.stringify(results)).toEqual([...devices].sort());
          expect(results.every((r) => r.outcome === 'verified'), JSON.stringify(results)).toBe(true);
        } finally {
          await runtime.dispose();
        }
      });
    } finally {
      await http.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
