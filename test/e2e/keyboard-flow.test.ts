/**
 * End to end: the whole path up to the point of no return works from the keyboard alone
 * (Tab to a control, Enter/Space to use it), and the erase confirmation starts on Cancel and
 * backs out with Escape. Nothing is flashed.
 */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { attachLoop, describeRootOnly, itRootOnly } from '../support/loop-device.ts';
import { MiB } from './e2e-fixture.ts';
import { serveE2eImages, withServeAndBrowser } from './e2e-setup.ts';

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
  const images = serveE2eImages((fixture) => ({ 'os.cosi': fixture.cosiPath }));

  itRootOnly('source → review → target → confirm with Tab, Enter, Space and Escape', async () => {
    const loop = await attachLoop({ sizeBytes: 64 * MiB });
    const { http } = images;
    try {
      await withServeAndBrowser({ loops: [loop], failureName: 'keyboard' }, async ({ serve, browser, page }) => {
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
      });
    } finally {
      await loop.detach();
    }
  });
});
