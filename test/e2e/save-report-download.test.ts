/**
 * End to end, web mode's "Save report" (issue 12 §2): the report is downloaded by the browser
 * onto the viewer's machine, not written on the server. Chromium is told over CDP
 * (Browser.setDownloadBehavior) to put downloads in a folder of this test; the file that lands
 * there is the report of the flash just done, and the server's config dir holds no report.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import type { FlashReport } from '../../src/model/flash-progress.ts';
import { PROJECT_ROOT } from '../support/cosi-fixtures.ts';
import { attachLoop, describeRootOnly, itRootOnly } from '../support/loop-device.ts';
import { MiB } from './e2e-fixture.ts';
import { openTargetScreen, serveE2eImages, withServeAndBrowser } from './e2e-setup.ts';

interface DownloadProgress {
  readonly guid: string;
  readonly state: 'inProgress' | 'completed' | 'canceled';
}

describeRootOnly('e2e: web "Save report" downloads the report in the browser', () => {
  const images = serveE2eImages((fixture) => ({ 'images/os.cosi': fixture.cosiPath }));

  itRootOnly('the downloaded file is the report (device, image hash, tool version, station); nothing is saved on the server', async () => {
    const loop = await attachLoop({ sizeBytes: 64 * MiB });
    const downloads = await mkdtemp(path.join(tmpdir(), 'cosiflash-e2e-downloads-'));
    const { fixture, http } = images;
    try {
      await withServeAndBrowser({ loops: [loop], failureName: 'save-report-download' }, async ({ serve, browser, page }) => {
        await page.goto(serve.url);
        await page.getByLabel('Expected image hash').fill(fixture.imageHash);
        await openTargetScreen(page, http.url('images/os.cosi'));
        await page.locator(`input[type=radio][value="${loop.device}"]:checked`).waitFor();
        await page.getByRole('button', { name: 'Continue' }).click();
        await page.getByRole('button', { name: `Erase and flash ${loop.device}` }).click();
        await page.getByRole('heading', { name: 'Verified', level: 1 }).waitFor({ timeout: 120_000 });

        const cdp = await browser.context.newCDPSession(page);
        await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: downloads, eventsEnabled: true });
        let begun = false;
        const completed = new Promise<DownloadProgress>((resolve) => {
          cdp.on('Browser.downloadWillBegin', () => (begun = true));
          cdp.on('Browser.downloadProgress', (event: DownloadProgress) => {
            if (event.state !== 'inProgress') resolve(event);
          });
        });
        await page.getByRole('button', { name: 'Save report' }).click();
        await page.getByText('Report downloaded as').waitFor();
        // The page has handed the file to the browser: the download begins (bounded, not timed).
        await expect.poll(() => begun, { timeout: 15_000 }).toBe(true);
        expect((await completed).state).toBe('completed');
        await browser.screenshot('save-report-downloaded');

        const files = await readdir(downloads);
        expect(files).toHaveLength(1);
        const [file] = files as [string];
        expect(file).toMatch(new RegExp(`^cosiflash-report-${path.basename(loop.device)}-\\d{4}-\\d\\d-\\d\\dT\\d\\d-\\d\\d-\\d\\dZ\\.json$`));
        const report = JSON.parse(await readFile(path.join(downloads, file), 'utf8')) as FlashReport;
        const { version } = JSON.parse(await readFile(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string };
        expect(report).toMatchObject({ outcome: 'verified', verified: true, imageHash: fixture.imageHash, device: { path: loop.device, sizeBytes: 64 * MiB }, toolVersion: version, station: hostname() });
        expect(await page.getByText('Report downloaded as').innerText()).toContain(file);

        // Not on the server: web mode never asks it to save (it would write <config dir>/reports/).
        expect(existsSync(path.join(serve.configDir, 'reports'))).toBe(false);
        expect(browser.problems).toEqual([]);
      });
    } finally {
      await loop.detach();
      await rm(downloads, { recursive: true, force: true });
    }
  });
});
