/**
 * End to end, a flash that does not finish: the user cancels (after confirming), or a
 * partition image turns out corrupt mid-flash. Either way the Done screen says so with the
 * error's next step, and the disk is left without a GPT signature at either end so it can
 * never look valid.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect } from 'vitest';
import { buildCosiFixture, type CosiFixture } from '../support/cosi-fixtures.ts';
import { attachLoop, describeRootOnly, itRootOnly, type LoopDevice } from '../support/loop-device.ts';
import { startRangeServer, type RangeServer } from '../support/range-server.ts';
import { openBrowser, type BrowserSession } from './browser-session.ts';
import { gptSignatures } from './disk-checks.ts';
import { E2E_FIXTURE, MiB } from './e2e-fixture.ts';
import { ensureRendererBuilt, startServe, type ServeProcess } from './serve-process.ts';

const execFileAsync = promisify(execFile);
const LOOP_BYTES = 64 * MiB;

/** Gives the loop device a valid GPT first, so "left without a valid table" means something. */
async function writeOldTable(device: string): Promise<void> {
  await execFileAsync('sgdisk', ['-o', '-n', '1:2048:+4M', device]);
  expect(await gptSignatures(device, LOOP_BYTES, 512)).toEqual({ primary: true, backup: true });
}

describeRootOnly('e2e: cancel and mid-flash failure', () => {
  let fixture: CosiFixture;
  let corrupt: CosiFixture;
  let http: RangeServer;

  beforeAll(async () => {
    await ensureRendererBuilt();
    fixture = await buildCosiFixture(E2E_FIXTURE);
    // The data partition's compressed bytes no longer match the SHA-384 in metadata.json.
    corrupt = await buildCosiFixture(E2E_FIXTURE, { corruptCompressed: { region: 3 } });
    http = await startRangeServer({ files: { 'images/os.cosi': fixture.cosiPath, 'images/corrupt.cosi': corrupt.cosiPath } });
  });
  afterAll(async () => {
    await http?.close();
  });

  async function startFlashFromSource(browser: BrowserSession, serve: ServeProcess, loop: LoopDevice, imagePath: string): Promise<void> {
    const { page } = browser;
    await page.goto(serve.url);
    await page.getByLabel('Image URL').fill(http.url(imagePath));
    await page.getByRole('button', { name: 'Inspect' }).click();
    await page.getByRole('button', { name: 'Choose target disk' }).click();
    await page.getByRole('switch', { name: 'Show virtual disks' }).check();
    await page.locator(`input[type=radio][value="${loop.device}"]:checked`).waitFor();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: `Erase and flash ${loop.device}` }).click();
  }

  itRootOnly('cancel asks first, then stops; the disk has no GPT left', async () => {
    const loop = await attachLoop({ sizeBytes: LOOP_BYTES });
    let serve: ServeProcess | null = null;
    let browser: BrowserSession | null = null;
    try {
      await writeOldTable(loop.device);
      serve = await startServe({ onlyDevices: [loop.device], allowLoop: true });
      browser = await openBrowser();
      const { page } = browser;
      // Hold the download mid-way so there is a running flash to cancel.
      http.setFaults({ stallAfterBytes: 256 * 1024, stallMs: 20_000 });
      await startFlashFromSource(browser, serve, loop, 'images/os.cosi');
      await page.getByRole('progressbar', { name: 'root', exact: true }).waitFor();
      // A reloaded page finds the running job again (flash:list) instead of offering a second flash.
      await page.reload();
      await page.getByRole('progressbar', { name: 'root', exact: true }).waitFor();
      await page.getByRole('button', { name: 'Cancel' }).click();
      const prompt = page.getByRole('alertdialog');
      await prompt.waitFor();
      await browser.screenshot('flash-cancel-confirm');
      await page.getByRole('button', { name: 'Keep flashing' }).click();
      await prompt.waitFor({ state: 'detached' });
      await page.getByRole('button', { name: 'Cancel' }).click();
      await page.getByRole('button', { name: 'Stop flashing' }).click();
      await page.getByRole('heading', { name: 'Cancelled', level: 1 }).waitFor({ timeout: 60_000 });
      await browser.screenshot('done-cancelled');
      http.setFaults({});
      expect(await gptSignatures(loop.device, LOOP_BYTES, 512)).toEqual({ primary: false, backup: false });
      expect(browser.problems).toEqual([]);
    } catch (error) {
      throw new Error(`${String(error)}\n${(await browser?.describeFailure('cancel')) ?? ''}\nserver output:\n${serve?.output() ?? ''}`, { cause: error });
    } finally {
      http.setFaults({});
      await browser?.close();
      await serve?.stop();
      await loop.detach();
    }
  });

  itRootOnly('a corrupt partition image fails the flash with a clear verdict; the disk has no GPT left', async () => {
    const loop = await attachLoop({ sizeBytes: LOOP_BYTES });
    let serve: ServeProcess | null = null;
    let browser: BrowserSession | null = null;
    try {
      await writeOldTable(loop.device);
      serve = await startServe({ onlyDevices: [loop.device], allowLoop: true });
      browser = await openBrowser();
      const { page } = browser;
      await startFlashFromSource(browser, serve, loop, 'images/corrupt.cosi');
      await page.getByRole('heading', { name: 'Failed', level: 1 }).waitFor({ timeout: 120_000 });
      const alert = page.getByRole('alert');
      await alert.waitFor();
      expect(await page.locator('.error-hint').innerText()).toMatch(/^Next step:/);
      const dataRow = page.locator('table.verdict-table tr', { has: page.getByRole('cell', { name: 'data', exact: true }) });
      expect(await dataRow.locator('.phase').innerText()).not.toMatch(/verified/i);
      await browser.screenshot('done-failed');
      expect(await gptSignatures(loop.device, LOOP_BYTES, 512)).toEqual({ primary: false, backup: false });
      expect(browser.problems).toEqual([]);
    } catch (error) {
      throw new Error(`${String(error)}\n${(await browser?.describeFailure('corrupt')) ?? ''}\nserver output:\n${serve?.output() ?? ''}`, { cause: error });
    } finally {
      await browser?.close();
      await serve?.stop();
      await loop.detach();
    }
  });
});
