/**
 * End to end, as a user: `cosiflash serve` restricted to the test's own loop device, the
 * built UI in Debian's Chromium, a COSI served over HTTP. Source → Review → Target →
 * Confirm → Flash → Done, then the disk is checked with sgdisk/sfdisk and byte-compared with
 * the fixture's source disk. Screenshots of every screen go to test-artifacts/screenshots/.
 *
 * Needs root (loop devices) and a built renderer (`npm run build:renderer`, which `npm test`
 * runs before vitest); the test builds it itself when dist/renderer is missing.
 */
import { readFile } from 'node:fs/promises';
import { expect } from 'vitest';
import { attachLoop, describeRootOnly, itRootOnly, type LoopDevice } from '../support/loop-device.ts';
import { differingPartitions, sfdiskPartitions, sgdiskVerify } from './disk-checks.ts';
import { MiB } from './e2e-fixture.ts';
import { serveE2eImages, withServeAndBrowser } from './e2e-setup.ts';

describeRootOnly('e2e: flash a COSI through the web UI in Chromium', () => {
  const images = serveE2eImages((fixture) => ({ 'images/os.cosi': fixture.cosiPath }));

  itRootOnly('source → review → target → confirm → flash → verified; the disk checks out; flash another', async () => {
    const loop: LoopDevice = await attachLoop({ sizeBytes: 64 * MiB });
    const { fixture, http } = images;
    try {
      await withServeAndBrowser({ loops: [loop], failureName: 'flash-flow' }, async ({ serve, browser, page }) => {
        await page.goto(serve.url);

        // Source
        await page.getByRole('heading', { name: 'Choose an image' }).waitFor();
        await page.getByLabel('Image URL').fill(http.url('images/os.cosi'));
        await page.getByLabel('Expected image hash').fill(fixture.imageHash);
        await browser.screenshot('01-source');
        await page.getByRole('button', { name: 'Inspect' }).click();

        // Review
        await page.getByRole('heading', { name: 'Partitions' }).waitFor();
        const table = page.locator('table.partition-table tbody tr');
        expect(await table.count()).toBe(fixture.regions.filter((r) => r.type === 'partition').length);
        for (const region of fixture.regions.filter((r) => r.type === 'partition')) {
          await page.locator('table.partition-table').getByRole('cell', { name: region.name, exact: true }).waitFor();
        }
        expect(await page.getByLabel('Image hash', { exact: true }).textContent()).toBe(fixture.imageHash);
        expect(await page.locator('.segment-free').count()).toBeGreaterThan(0);
        await page.getByRole('button', { name: 'Copy image hash' }).click();
        await page.getByRole('button', { name: 'Copy image hash' }).filter({ hasText: 'Copied' }).waitFor();
        expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(fixture.imageHash);
        const packageCount = fixture.metadata.osPackages.length;
        await page.getByRole('searchbox', { name: 'Search packages' }).fill(fixture.metadata.osPackages[0]?.name ?? '');
        await page.getByText(new RegExp(`^1 of ${packageCount} packages`)).waitFor();
        await page.getByRole('searchbox', { name: 'Search packages' }).fill('');
        await browser.screenshot('02-review');
        await page.getByRole('button', { name: 'Choose target disk' }).click();

        // Target: loop devices are virtual, so they appear once the toggle is on.
        await page.getByRole('heading', { name: 'Choose the disk to erase' }).waitFor();
        await page.getByRole('switch', { name: 'Show virtual disks' }).check();
        const radio = page.locator(`input[type=radio][value="${loop.device}"]`);
        await radio.waitFor();
        await expect.poll(() => radio.isChecked()).toBe(true);
        await page.locator('.disk-selected').getByText('Best fit').waitFor();
        await browser.screenshot('03-target');
        await page.getByRole('button', { name: 'Continue' }).click();

        // Confirm
        const dialog = page.getByRole('dialog', { name: 'Erase this disk?' });
        await dialog.waitFor();
        expect(await dialog.textContent()).toContain(loop.device);
        expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Cancel');
        await browser.screenshot('04-confirm');

        // Slow the download once so the progress screen can be seen mid-flight (no timing is asserted).
        http.setFaults({ stallAfterBytes: 256 * 1024, stallMs: 3000 });
        await dialog.getByRole('button', { name: `Erase and flash ${loop.device}` }).click();

        // Flash: one accessible progress bar per partition.
        for (const region of fixture.regions.filter((r) => r.type === 'partition')) {
          await page.getByRole('progressbar', { name: region.name, exact: true }).waitFor();
        }
        await page.waitForFunction(() => Number(document.querySelector('[role=progressbar][aria-label=Overall]')?.getAttribute('aria-valuenow') ?? '0') > 0, undefined, { timeout: 60_000 });
        await browser.screenshot('05-flash');

        // Done
        await page.getByRole('heading', { name: 'Verified', level: 1 }).waitFor({ timeout: 120_000 });
        http.setFaults({});
        for (const region of fixture.regions.filter((r) => r.type === 'partition')) {
          const row = page.locator('table.verdict-table tr', { has: page.getByRole('cell', { name: region.name, exact: true }) });
          expect(await row.locator('.phase').textContent()).toBe('Verified');
        }
        await browser.screenshot('06-done');

        // The disk, checked by tools nobody here wrote.
        const verify = await sgdiskVerify(loop.device);
        expect(verify).toContain('No problems found');
        const written = await sfdiskPartitions(loop.device);
        const source = await sfdiskPartitions(fixture.sourceDiskPath);
        expect(written).toEqual(source);
        expect(await differingPartitions(loop.device, fixture)).toEqual([]);

        // Save the report: web mode downloads it in the browser (onto the viewer's machine).
        const download = page.waitForEvent('download');
        await page.getByRole('button', { name: 'Save report' }).click();
        const saved = await download;
        expect(saved.suggestedFilename()).toMatch(/^cosiflash-report-loop\d+-.*\.json$/);
        const savedReport = JSON.parse(await readFile(await saved.path(), 'utf8')) as { outcome: string; station: string; toolVersion: string };
        expect(savedReport).toMatchObject({ outcome: 'verified', station: expect.any(String), toolVersion: expect.any(String) });
        await page.getByText('Report downloaded as').waitFor();

        // History: the flash log lists the flash just done; CSV export downloads it.
        await page.getByRole('button', { name: 'History' }).click();
        await page.getByRole('heading', { name: 'History', level: 1 }).waitFor();
        await page.getByText('Showing 1 of 1 flashes.').waitFor();
        await page.locator('table.history-table').getByText('Verified').waitFor();
        await page.getByRole('searchbox').fill('no-such-device');
        await page.getByText('Showing 0 of 1 flashes.').waitFor();
        await page.getByRole('searchbox').fill(loop.device);
        await page.getByText('Showing 1 of 1 flashes.').waitFor();
        await browser.screenshot('10-history');
        const csvDownload = page.waitForEvent('download');
        await page.getByRole('button', { name: 'Export CSV' }).click();
        const csv = await readFile(await (await csvDownload).path(), 'utf8');
        expect(csv.split('\r\n')[1]).toContain(loop.device);
        await page.getByRole('button', { name: 'Close history' }).click();
        await page.getByRole('heading', { name: 'Verified', level: 1 }).waitFor();

        // The bench technician's next device: same image, one click.
        await page.getByRole('button', { name: 'Flash another disk' }).click();
        await page.getByRole('heading', { name: 'Choose the disk to erase' }).waitFor();
        await expect.poll(() => page.locator(`input[type=radio][value="${loop.device}"]`).isChecked()).toBe(true);
        await page.getByRole('button', { name: 'Continue' }).click();
        await page.getByRole('button', { name: `Erase and flash ${loop.device}` }).click();
        await page.getByRole('heading', { name: 'Verified', level: 1 }).waitFor({ timeout: 120_000 });
        expect(await differingPartitions(loop.device, fixture)).toEqual([]);

        // Recent images survive a reload (persisted by the server).
        await page.goto(serve.url);
        await page.getByRole('heading', { name: 'Recent images' }).waitFor();
        await page.getByText('Cosiflash Test OS 1.0').waitFor();
        await browser.screenshot('07-source-recent');

        // Dark theme follows prefers-color-scheme.
        await page.emulateMedia({ colorScheme: 'dark' });
        await browser.screenshot('08-source-dark');
        await page.getByRole('button', { name: /Cosiflash Test OS 1\.0/ }).click();
        await page.getByRole('heading', { name: 'Partitions' }).waitFor();
        expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).not.toBe('rgb(244, 246, 249)');
        await browser.screenshot('09-review-dark');

        expect(browser.problems).toEqual([]);
      });
    } finally {
      await loop.detach();
    }
  });
});
