/**
 * End to end: a disk with a mounted filesystem is refused until the user agrees, in the
 * Confirm dialog, that it may be unmounted; then it is unmounted and flashed.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect } from 'vitest';
import { buildCosiFixture, type CosiFixture } from '../support/cosi-fixtures.ts';
import { attachLoop, describeRootOnly, itRootOnly } from '../support/loop-device.ts';
import { startRangeServer, type RangeServer } from '../support/range-server.ts';
import { openBrowser, type BrowserSession } from './browser-session.ts';
import { differingPartitions } from './disk-checks.ts';
import { E2E_FIXTURE, MiB } from './e2e-fixture.ts';
import { ensureRendererBuilt, startServe, type ServeProcess } from './serve-process.ts';

const execFileAsync = promisify(execFile);

async function isMounted(dir: string): Promise<boolean> {
  const { stdout } = await execFileAsync('findmnt', ['-n', '-o', 'TARGET', '--mountpoint', dir]).catch(() => ({ stdout: '' }));
  return stdout.trim() !== '';
}

describeRootOnly('e2e: mounted target needs consent', () => {
  let fixture: CosiFixture;
  let http: RangeServer;

  beforeAll(async () => {
    await ensureRendererBuilt();
    fixture = await buildCosiFixture(E2E_FIXTURE);
    http = await startRangeServer({ files: { 'os.cosi': fixture.cosiPath } });
  });
  afterAll(async () => {
    await http?.close();
  });

  itRootOnly('refused while mounted; consent in Confirm unmounts it and the flash verifies', async () => {
    const loop = await attachLoop({ sizeBytes: 64 * MiB });
    const mountDir = await mkdtemp(path.join(tmpdir(), 'cosiflash-e2e-mnt-'));
    let serve: ServeProcess | null = null;
    let browser: BrowserSession | null = null;
    try {
      // A filesystem straight on the (loop) disk, mounted: the disk counts as mounted.
      await execFileAsync('mkfs.ext4', ['-F', '-q', loop.device]);
      await execFileAsync('mount', ['-t', 'ext4', loop.device, mountDir]);
      serve = await startServe({ onlyDevices: [loop.device], allowLoop: true });
      browser = await openBrowser();
      const { page } = browser;
      await page.goto(serve.url);
      await page.getByLabel('Image URL').fill(http.url('os.cosi'));
      await page.getByRole('button', { name: 'Inspect' }).click();
      await page.getByRole('button', { name: 'Choose target disk' }).click();
      await page.getByRole('switch', { name: 'Show virtual disks' }).check();
      const radio = page.locator(`input[type=radio][value="${loop.device}"]`);
      await radio.waitFor();
      const card = page.locator('label.disk', { has: radio });
      expect(await card.locator('.disk-reasons').innerText()).toMatch(/Mounted/);
      // Not pre-selected (it is not eligible as is), but the user may pick it.
      expect(await radio.isChecked()).toBe(false);
      await radio.check();
      await page.getByRole('button', { name: 'Continue' }).click();
      const erase = page.getByRole('button', { name: `Erase and flash ${loop.device}` });
      await erase.waitFor();
      expect(await erase.isDisabled()).toBe(true);
      await page.getByRole('checkbox', { name: /Unmount its mounted filesystems/ }).check();
      await browser.screenshot('confirm-mounted-consent');
      await erase.click();
      await page.getByRole('heading', { name: 'Verified', level: 1 }).waitFor({ timeout: 120_000 });
      expect(await isMounted(mountDir)).toBe(false);
      expect(await differingPartitions(loop.device, fixture)).toEqual([]);
      expect(browser.problems).toEqual([]);
    } catch (error) {
      throw new Error(`${String(error)}\n${(await browser?.describeFailure('mounted')) ?? ''}\nserver output:\n${serve?.output() ?? ''}`, { cause: error });
    } finally {
      await browser?.close();
      await serve?.stop();
      if (await isMounted(mountDir)) await execFileAsync('umount', [mountDir]).catch(() => undefined);
      await rmdir(mountDir).catch(() => undefined);
      await loop.detach();
    }
  });
});
