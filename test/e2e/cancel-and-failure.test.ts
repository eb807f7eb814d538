/**
 * End to end, a flash that does not finish: the user cancels (after confirming), or a
 * partition image turns out corrupt mid-flash. Either way the Done screen says so with the
 * error's next step, and the disk is left without a GPT signature at either end so it can
 * never look valid.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { buildCosiFixture } from '../support/cosi-fixtures.ts';
import { attachLoop, describeRootOnly, itRootOnly, type LoopDevice } from '../support/loop-device.ts';
import { gptSignatures } from './disk-checks.ts';
import { E2E_FIXTURE, MiB } from './e2e-fixture.ts';
import { openTargetScreen, serveE2eImages, withServeAndBrowser, type UiSession } from './e2e-setup.ts';

const execFileAsync = promisify(execFile);
const LOOP_BYTES = 64 * MiB;

/** Gives the loop device a valid GPT first, so "left without a valid table" means something. */
async function writeOldTable(device: string): Promise<void> {
  await execFileAsync('sgdisk', ['-o', '-n', '1:2048:+4M', device]);
  expect(await gptSignatures(device, LOOP_BYTES, 512)).toEqual({ primary: true, backup: true });
}

describeRootOnly('e2e: cancel and mid-flash failure', () => {
  const images = serveE2eImages(async (fixture) => {
    // The data partition's compressed bytes no longer match the SHA-384 in metadata.json.
    const corrupt = await buildCosiFixture(E2E_FIXTURE, { corruptCompressed: { region: 3 } });
    return { 'images/os.cosi': fixture.cosiPath, 'images/corrupt.cosi': corrupt.cosiPath };
  });

  /**
   * Gives a fresh loop device an old GPT, then runs `body` with `cosiflash serve` restricted to
   * it and a browser; the device is detached whatever happens.
   */
  async function withOldTableDisk(failureName: string, body: (loop: LoopDevice, session: UiSession) => Promise<void>): Promise<void> {
    const loop = await attachLoop({ sizeBytes: LOOP_BYTES });
    try {
      await writeOldTable(loop.device);
      await withServeAndBrowser({ loops: [loop], failureName }, (session) => body(loop, session));
    } finally {
      await loop.detach();
    }
  }

  async function startFlashFromSource(page: Page, serveUrl: string, loop: LoopDevice, imagePath: string): Promise<void> {
    await page.goto(serveUrl);
    await openTargetScreen(page, images.http.url(imagePath));
    await page.locator(`input[type=radio][value="${loop.device}"]:checked`).waitFor();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: `Erase and flash ${loop.device}` }).click();
  }

  itRootOnly('cancel asks first, then stops; the disk has no GPT left', async () => {
    const { http } = images;
    await withOldTableDisk('cancel', async (loop, { serve, browser, page }) => {
      try {
        // Hold the download mid-way so there is a running flash to cancel.
        http.setFaults({ stallAfterBytes: 256 * 1024, stallMs: 20_000 });
        await startFlashFromSource(page, serve.url, loop, 'images/os.cosi');
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
      } finally {
        http.setFaults({});
      }
    });
  });

  itRootOnly('a corrupt partition image fails the flash with a clear verdict; the disk has no GPT left', async () => {
    await withOldTableDisk('corrupt', async (loop, { serve, browser, page }) => {
      await startFlashFromSource(page, serve.url, loop, 'images/corrupt.cosi');
      await page.getByRole('heading', { name: 'Failed', level: 1 }).waitFor({ timeout: 120_000 });
      const alert = page.getByRole('alert');
      await alert.waitFor();
      expect(await page.locator('.error-hint').innerText()).toMatch(/^Next step:/);
      const dataRow = page.locator('table.verdict-table tr', { has: page.getByRole('cell', { name: 'data', exact: true }) });
      expect(await dataRow.locator('.phase').innerText()).not.toMatch(/verified/i);
      await browser.screenshot('done-failed');
      expect(await gptSignatures(loop.device, LOOP_BYTES, 512)).toEqual({ primary: false, backup: false });
      expect(browser.problems).toEqual([]);
    });
  });
});
