/**
 * End to end: the whole path up to the point of no return works from the keyboard alone
 * (Tab to a control, Enter/Space to use it), and the erase confirmation starts on Cancel and
 * backs out with Escape. Nothing is flashed.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { buildCosiFixture, type CosiFixture } from '../support/cosi-fixtures.ts';
import { attachLoop, describeRootOnly, itRootOnly } from '../support/loop-device.ts';
import { startRangeServer, type RangeServer } from '../support/range-server.ts';
import { openBrowser, type BrowserSession } from './browser-session.ts';
import { E2E_FIXTURE, MiB } from './e2e-fixture.ts';
import { ensureRendererBuilt, startServe, type ServeProcess } from './serve-process.ts';

/** Presses Tab until the focused element's accessible text matches, or fails after 30 presses. */
async function tabTo(page: Page, matches: (label: string) => boolean): Promise<string> {
  for (let presses = 0; presses < 30; presses++) {
    await page.keyboard.press('Tab');
    const label = await page.evaluate(() => {
      const element = document.activeElement as HTMLElement | null;
      if (element === null) return '';
      return element.getAttribute('aria-label') ?? (element.closest('label')?.textContent ?? element.textContent ?? '').trim();
    });
    if (matches(label)) return label;
  }
  throw new Error('the control was not reachable with Tab');
}

describeRootOnly('e2e: keyboard only', () => {
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

  itRootOnly('source → review → target → confirm with Tab, Enter, Space and Escape', async () => {
    const loop = await attachLoop({ sizeBytes: 64 * MiB });
    let serve: ServeProcess | null = null;
    let browser: BrowserSession | null = null;
    try {
      serve = await startServe({ onlyDevices: [loop.device], allowLoop: true });
      browser = await openBrowser();
      const { page } = browser;
      await page.goto(serve.url);
      await page.getByRole('heading', { name: 'Choose an image' }).waitFor();
      // The URL field has focus on arrival; Enter submits.
      await page.keyboard.type(http.url('os.cosi'));
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Partitions' }).waitFor();

      await tabTo(page, (label) => label === 'Choose target disk');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Choose the disk to erase' }).waitFor();
      await tabTo(page, (label) => label === 'Show virtual disks');
      await page.keyboard.press('Space');
      await page.locator(`input[type=radio][value="${loop.device}"]:checked`).waitFor();
      await tabTo(page, (label) => label === 'Continue');
      await page.keyboard.press('Enter');

      const dialog = page.getByRole('dialog', { name: 'Erase this disk?' });
      await dialog.waitFor();
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Cancel');
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      await page.getByRole('heading', { name: 'Choose the disk to erase' }).waitFor();

      await tabTo(page, (label) => label === 'Continue');
      await page.keyboard.press('Enter');
      await dialog.waitFor();
      const label = await tabTo(page, (text) => text.startsWith('Erase and flash'));
      expect(label).toBe(`Erase and flash ${loop.device}`);
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      expect(browser.problems).toEqual([]);
    } catch (error) {
      throw new Error(`${String(error)}\n${(await browser?.describeFailure('keyboard')) ?? ''}`, { cause: error });
    } finally {
      await browser?.close();
      await serve?.stop();
      await loop.detach();
    }
  });
});
