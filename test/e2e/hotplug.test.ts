/**
 * End to end: the Target screen follows hotplug (disks:changed). Two of the test's own loop
 * devices are offered; the smaller one is the best fit; when it disappears the list updates
 * and the other becomes the pre-selected disk, without any click.
 */
import { expect } from 'vitest';
import { attachLoop, describeRootOnly, itRootOnly, type LoopDevice } from '../support/loop-device.ts';
import { MiB } from './e2e-fixture.ts';
import { openTargetScreen, serveE2eImages, withServeAndBrowser } from './e2e-setup.ts';

describeRootOnly('e2e: hotplug', () => {
  const images = serveE2eImages((fixture) => ({ 'os.cosi': fixture.cosiPath }));

  itRootOnly('a disk that goes away leaves the list, and the best fit moves on', async () => {
    const large: LoopDevice = await attachLoop({ sizeBytes: 96 * MiB });
    const small: LoopDevice = await attachLoop({ sizeBytes: 48 * MiB });
    const { http } = images;
    try {
      await withServeAndBrowser({ loops: [large, small], failureName: 'hotplug' }, async ({ serve, browser, page }) => {
        await page.goto(serve.url);
        await openTargetScreen(page, http.url('os.cosi'));
        await page.locator(`input[type=radio][value="${small.device}"]:checked`).waitFor();
        expect(await page.locator('input[type=radio][name=target-disk]').count()).toBe(2);

        await small.detach();
        // The server polls about every 2 s; the page updates on its own.
        await page.locator(`input[type=radio][value="${small.device}"]`).waitFor({ state: 'detached', timeout: 30_000 });
        await page.locator(`input[type=radio][value="${large.device}"]:checked`).waitFor();
        await page.locator('.disk-selected').getByText('Best fit').waitFor();
        expect(browser.problems).toEqual([]);
      });
    } finally {
      await small.detach();
      await large.detach();
    }
  });
});
