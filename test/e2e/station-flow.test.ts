/**
 * End to end, station mode: `cosiflash serve --image URL --hash H --auto-flash`, restricted to
 * one loop device of this test that has no size when the server starts (so it is not
 * listed) and gets its size afterwards — to the server, a disk that appeared after arming.
 * It is flashed and verified with no click, the lane says so in large type, and the flash log
 * has its line.
 */
import { execFile } from 'node:child_process';
import { readFile, truncate } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import type { FlashLogEntry } from '../../src/model/flash-log-entry.ts';
import { describeRootOnly, itRootOnly } from '../support/loop-device.ts';
import { openBrowser, type BrowserSession } from './browser-session.ts';
import { differingPartitions } from './disk-checks.ts';
import { MiB } from './e2e-fixture.ts';
import { serveE2eImages } from './e2e-setup.ts';
import { startServe, type ServeProcess } from './serve-process.ts';
import { attachEmptyLoop } from './empty-loop.ts';

const run = promisify(execFile);

describeRootOnly('e2e: bench station with auto-flash', () => {
  const images = serveE2eImages((fixture) => ({ 'station/os.cosi': fixture.cosiPath }));

  itRootOnly('a disk that appears after start is flashed and verified without a click, and logged', async () => {
    const { fixture, http } = images;
    const loop = await attachEmptyLoop('station');
    const { device, backing } = loop;
    let serve: ServeProcess | null = null;
    let browser: BrowserSession | null = null;
    try {
      serve = await startServe({ onlyDevices: [device], allowLoop: true, extraArgs: ['--image', http.url('station/os.cosi'), '--hash', fixture.imageHash, '--auto-flash', '--station', 'bench-e2e'] });
      browser = await openBrowser();
      const { page } = browser;
      await page.goto(serve.url);
      await page.getByRole('heading', { name: 'Bench station' }).waitFor();
      await page.getByText('Auto-flash is on').waitFor();
      await page.getByText('Waiting for a disk…').waitFor();
      expect(await page.title()).toBe('Cosiflash');

      // The disk "arrives": the loop device gets its size.
      await truncate(backing, 64 * MiB);
      await run('losetup', ['-c', device]);
      await page.getByText(/Flashing in \d s/).waitFor({ timeout: 30_000 });
      await page.getByRole('button', { name: `Don’t flash ${device}` }).waitFor();
      await browser.screenshot('station-countdown');
      const lane = page.getByRole('group', { name: `Lane ${device}` });
      await lane.waitFor({ timeout: 30_000 });
      await expect.poll(() => page.title(), { timeout: 60_000 }).toMatch(/%|Verified/);
      await lane.getByText('Verified').waitFor({ timeout: 120_000 });
      await browser.screenshot('station');
      expect(await page.title()).toBe(`✓ Verified · ${device} — Cosiflash`);
      expect(await differingPartitions(device, fixture)).toEqual([]);

      const log = (await readFile(path.join(serve.configDir, 'flash-log.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as FlashLogEntry);
      expect(log).toHaveLength(1);
      expect(log[0]).toMatchObject({ result: 'verified', station: 'bench-e2e', image: { imageHash: fixture.imageHash }, device: { path: device } });
      expect(browser.problems).toEqual([]);
    } catch (error) {
      throw new Error(`${String(error)}\n${(await browser?.describeFailure('station-flow')) ?? ''}\nserver output:\n${serve?.output() ?? ''}`, { cause: error });
    } finally {
      await browser?.close();
      await serve?.stop();
      await loop.detach();
    }
  });
});
