/**
 * End to end, several disks in one job: `cosiflash serve` restricted to two of the test's loop
 * devices, the built UI in Chromium. The best fit is the single default; the second disk is
 * ticked; Confirm names both; the Flash screen shows a lane per disk; Done shows a verdict per
 * disk; both disks check out with sgdisk/sfdisk and byte comparison, and the image was
 * transferred once (bytes counted at the HTTP server).
 */
import { expect } from 'vitest';
import { attachLoop, describeRootOnly, itRootOnly, type LoopDevice } from '../support/loop-device.ts';
import { differingPartitions, sfdiskPartitions, sgdiskVerify } from './disk-checks.ts';
import { MiB } from './e2e-fixture.ts';
import { openTargetScreen, serveE2eImages, withServeAndBrowser } from './e2e-setup.ts';

describeRootOnly('e2e: flash two disks in one job through the web UI', () => {
  const images = serveE2eImages((fixture) => ({ 'images/os.cosi': fixture.cosiPath }));

  itRootOnly('tick a second disk → Confirm names both → one lane per disk → a verdict per disk; both identical, image fetched once', async () => {
    const loops: LoopDevice[] = [];
    try {
      loops.push(await attachLoop({ sizeBytes: 64 * MiB }));
      loops.push(await attachLoop({ sizeBytes: 72 * MiB }));
      const [best, second] = loops as [LoopDevice, LoopDevice];
      const { fixture, http } = images;
      await withServeAndBrowser({ loops, failureName: 'multi-disk-flow' }, async ({ serve, browser, page }) => {
        await page.goto(serve.url);
        await page.getByRole('heading', { name: 'Choose an image' }).waitFor();
        await openTargetScreen(page, http.url('images/os.cosi'));

        // Target: the best fit is the one default choice; the other disk can be ticked as well.
        await page.getByRole('heading', { name: 'Choose the disk to erase' }).waitFor();
        await expect.poll(() => page.locator(`input[type=radio][value="${best.device}"]`).isChecked()).toBe(true);
        await page.getByRole('button', { name: 'Continue', exact: true }).waitFor();
        await page.getByRole('checkbox', { name: `Also write ${second.device}` }).check();
        await page.getByRole('button', { name: 'Continue with 2 disks' }).click();

        // Confirm names each disk.
        const dialog = page.getByRole('dialog', { name: 'Erase these 2 disks?' });
        await dialog.waitFor();
        const text = (await dialog.textContent()) ?? '';
        expect(text).toContain(best.device);
        expect(text).toContain(second.device);
        await browser.screenshot('multi-01-confirm');
        http.resetStats();
        http.setFaults({ stallAfterBytes: 256 * 1024, stallMs: 2000 });
        await dialog.getByRole('button', { name: 'Erase and flash 2 disks' }).click();

        // Flash: one lane per disk, each with a progress bar per partition.
        for (const loop of loops) {
          await page.getByRole('region', { name: `Disk ${loop.device}` }).waitFor({ timeout: 60_000 });
          for (const region of fixture.regions.filter((r) => r.type === 'partition')) {
            await page.getByRole('progressbar', { name: `${region.name} on ${loop.device}`, exact: true }).waitFor();
          }
        }
        await browser.screenshot('multi-02-flash');

        // Done: a verdict per disk.
        await page.getByRole('heading', { name: 'All 2 disks verified', level: 1 }).waitFor({ timeout: 180_000 });
        http.setFaults({});
        const verdicts = page.getByRole('list', { name: 'Verdict per disk' }).getByRole('listitem');
        expect(await verdicts.count()).toBe(2);
        for (const loop of loops) expect(await verdicts.filter({ hasText: loop.device }).locator('.phase').textContent()).toBe('Verified');
        await browser.screenshot('multi-03-done');

        // Transferred once: not twice the image.
        expect(http.stats.bytesSent).toBeLessThanOrEqual(1.1 * fixture.cosiSizeBytes);
        const source = await sfdiskPartitions(fixture.sourceDiskPath);
        for (const loop of loops) {
          expect(await sgdiskVerify(loop.device)).toContain('No problems found');
          expect(await sfdiskPartitions(loop.device)).toEqual(source);
          expect(await differingPartitions(loop.device, fixture)).toEqual([]);
        }
        expect(browser.problems).toEqual([]);
      });
    } finally {
      for (const loop of loops) await loop.detach();
    }
  });
});
