/**
 * End to end, the ways a user gets it wrong, in Chromium against `cosiflash serve`: a URL
 * that does not exist, a file that is not a COSI, an expected hash that does not match, and a
 * disk too small for the image. Each must show an error with a title, detail and next step
 * (never a stack trace), and must not move on.
 */
import { expect } from 'vitest';
import { attachLoop, describeRootOnly, itRootOnly, type LoopDevice } from '../support/loop-device.ts';
import { MiB } from './e2e-fixture.ts';
import { openTargetScreen, serveE2eImages, withServeAndBrowser } from './e2e-setup.ts';

const HTML_PAGE = '<!doctype html><html><head><title>Sign in</title></head><body><h1>Please sign in</h1></body></html>\n'.repeat(40);

describeRootOnly('e2e: errors are explained and nothing moves on', () => {
  const images = serveE2eImages((fixture) => ({ 'images/os.cosi': fixture.cosiPath, 'images/login.cosi': Buffer.from(HTML_PAGE) }));

  itRootOnly('bad URL, not a COSI, hash mismatch, and a disk that is too small', async () => {
    // Smaller than the image's 40 MiB disk: it must be listed, greyed, and not selectable.
    const tiny: LoopDevice = await attachLoop({ sizeBytes: 16 * MiB });
    const { http } = images;
    try {
      await withServeAndBrowser({ loops: [tiny], failureName: 'error-flows' }, async ({ serve, browser, page }) => {
        await page.goto(serve.url);
        const sourceHeading = page.getByRole('heading', { name: 'Choose an image' });
        await sourceHeading.waitFor();

        const inspectExpectingError = async (location: string, expectedHash: string, screenshot: string): Promise<string> => {
          await page.getByLabel('Image URL').fill(location);
          await page.getByLabel('Expected image hash').fill(expectedHash);
          await page.getByRole('button', { name: 'Inspect' }).click();
          const alert = page.getByRole('alert');
          await alert.waitFor({ timeout: 60_000 });
          const text = (await alert.innerText()).trim();
          expect(await page.locator('.error-title').innerText()).not.toBe('');
          expect(await page.locator('.error-hint').innerText()).toMatch(/^Next step:/);
          expect(text).not.toMatch(/\n\s+at /);
          expect(await sourceHeading.isVisible()).toBe(true);
          await browser.screenshot(screenshot);
          await page.getByRole('button', { name: 'Dismiss error' }).click();
          await alert.waitFor({ state: 'detached' });
          return text;
        };

        const notFound = await inspectExpectingError(http.url('images/missing.cosi'), '', 'error-not-found');
        expect(notFound).toMatch(/404/);
        const notCosi = await inspectExpectingError(http.url('images/login.cosi'), '', 'error-not-a-cosi');
        expect(notCosi).toMatch(/E_[A-Z_]+/);
        const mismatch = await inspectExpectingError(http.url('images/os.cosi'), `sha384:${'0'.repeat(96)}`, 'error-hash-mismatch');
        expect(mismatch).toMatch(/hash/i);
        const badHash = await inspectExpectingError(http.url('images/os.cosi'), 'sha256:1234', 'error-hash-format');
        expect(badHash).toMatch(/E_[A-Z_]+/);

        // The image is fine; the only disk is too small for it.
        await page.getByLabel('Expected image hash').fill('');
        await openTargetScreen(page, http.url('images/os.cosi'));
        const radio = page.locator(`input[type=radio][value="${tiny.device}"]`);
        await radio.waitFor();
        expect(await radio.isDisabled()).toBe(true);
        expect(await radio.isChecked()).toBe(false);
        const card = page.locator('label.disk', { has: radio });
        expect(await card.locator('.disk-reasons').innerText()).toMatch(/Too small/);
        expect(await page.getByRole('button', { name: 'Continue' }).isDisabled()).toBe(true);
        await browser.screenshot('target-refused');
        expect(browser.problems).toEqual([]);

        // The server goes away: the page says so instead of failing silently.
        await serve.stop();
        await page.getByText('Lost the connection to the Cosiflash server').waitFor();
      });
    } finally {
      await tiny.detach();
    }
  });
});
