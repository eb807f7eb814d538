/**
 * End to end, as a user: two loop devices written in one job from the web UI (issue 11 §1).
 * "Flash several disks" on Target, both ticked, Confirm names both, the Flash screen shows a
 * lane per disk, Done gives a verdict per disk; then each disk is checked with sgdisk/sfdisk
 * and byte-compared with the fixture's source disk. Screenshots go to test-artifacts/screenshots/.
 *
 * Needs root (loop devices) and a built renderer (`npm run build:renderer`).
 */
import { readFile } from 'node:fs/promises';
import { expect } from 'vitest';
import { attachLoop, describeRootOnly, itRootOnly, type LoopDevice } from '../support/loop-device.ts';
import { differingPartitions, sfdiskPartitions, sgdiskVerify } from './disk-checks.ts';
import { MiB } from './e2e-fixture.ts';
import { serveE2eImages, tickDisks, withServeAndBrowser } from './e2e-setup.ts';

describeRootOnly('e2e: flash two disks in one job through the web UI', () => {
  const images = serveE2eImages((fixture) => ({ 'images/os.cosi': fixture.cosiPath }));

  itRootOnly('tick two loops → confirm names both → one lane each → a verdict per disk; both disks byte-exact', async () => {
    const loops: LoopDevice[] = [];
    const { fixture, http } = images;
    try {
      loops.push(await attachLoop({ sizeBytes: 64 * MiB }));
      loops.push(await attachLoop({ sizeBytes: 64 * MiB }));
      const [first, second] = loops as [LoopDevice, LoopDevice];
      await withServeAndBrowser({ loops, failureName: 'multi-target-flow' }, async ({ serve, browser, page }) => {
        await page.goto(serve.url);
        await page.getByLabel('Image URL').fill(http.url('images/os.cosi'));
        await page.getByLabel('Expected image hash').fill(fixture.imageHash);
        await page.getByRole('button', { name: 'Inspect' }).click();
        await page.getByRole('heading', { name: 'Partitions' }).waitFor();
        await page.getByRole('button', { name: 'Choose target disk' }).click();

        // Target: one best fit by default; "Flash several disks" turns the list into checkboxes.
        await page.getByRole('heading', { name: 'Choose the disk to erase' }).waitFor();
        await page.getByRole('switch', { name: 'Show virtual disks' }).check();
        await page.locator('input[type=radio]:checked').waitFor();
        expect(await page.locator('input[type=radio]:checked').count()).toBe(1);
        await tickDisks(page, loops.map((loop) => loop.device));
        await page.getByText('2 disks ticked').waitFor();
        await browser.screenshot('20-target-multi');
        await page.getByRole('button', { name: 'Continue with 2 disks' }).click();

        // Confirm: both named, one erase button for both.
        const dialog = page.getByRole('dialog', { name: 'Erase these 2 disks?' });
        await dialog.waitFor();
        const text = (await dialog.textContent()) ?? '';
        for (const loop of loops) expect(text).toContain(loop.device);
        expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Cancel');
        await browser.screenshot('21-confirm-multi');

        // Slow the download once so the lanes can be seen mid-flight (no timing is asserted).
        http.setFaults({ stallAfterBytes: 256 * 1024, stallMs: 3000 });
        await dialog.getByRole('button', { name: 'Erase and flash 2 disks' }).click();

        // Flash: one lane per disk, each with its own overall bar.
        const lanes = page.getByRole('list', { name: 'Disks' });
        for (const loop of loops) await lanes.getByRole('progressbar', { name: `${loop.device} overall` }).waitFor({ timeout: 60_000 });
        await page.getByText('Downloaded once for all disks').waitFor();
        await page.waitForFunction(() => [...document.querySelectorAll('[role=progressbar][aria-label$=" overall"]')].some((bar) => Number(bar.getAttribute('aria-valuenow') ?? '0') > 0), undefined, { timeout: 60_000 });
        await browser.screenshot('22-flash-lanes');

        // Done: a verdict per disk.
        await page.getByRole('heading', { name: 'All 2 disks verified', level: 1 }).waitFor({ timeout: 180_000 });
        http.setFaults({});
        const verdicts = page.getByRole('list', { name: 'Disks' }).getByRole('listitem');
        expect(await verdicts.count()).toBe(2);
        for (const loop of loops) {
          const card = page.locator('li.target-verdict', { hasText: loop.device });
          expect(await card.locator('.phase').first().textContent()).toBe('Verified');
        }
        await browser.screenshot('23-done-multi');

        // Both disks, checked by tools nobody here wrote, byte-exact against the source disk.
        const source = await sfdiskPartitions(fixture.sourceDiskPath);
        for (const loop of [first, second]) {
          expect(await sgdiskVerify(loop.device)).toContain('No problems found');
          expect(await sfdiskPartitions(loop.device)).toEqual(source);
          expect(await differingPartitions(loop.device, fixture)).toEqual([]);
        }

        // Save report: the job report with one section per disk.
        const download = page.waitForEvent('download');
        await page.getByRole('button', { name: 'Save report' }).click();
        const saved = JSON.parse(await readFile(await (await download).path(), 'utf8')) as { outcome: string; targets?: { device: { path: string }; outcome: string }[] };
        expect(saved.outcome).toBe('verified');
        expect(saved.targets?.map((t) => [t.device.path, t.outcome])).toEqual(loops.map((loop) => [loop.device, 'verified']));
      });
    } finally {
      for (const loop of loops.reverse()) await loop.detach();
    }
  }, 300_000);
});
