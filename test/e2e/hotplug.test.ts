/**
 * End to end: the Target screen follows hotplug (disks:changed). Two of the test's own loop
 * devices are offered; the smaller one is the best fit; when it disappears the list updates
 * and the other becomes the pre-selected disk, without any click.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { buildCosiFixture, type CosiFixture } from '../support/cosi-fixtures.ts';
import { attachLoop, describeRootOnly, itRootOnly, type LoopDevice } from '../support/loop-device.ts';
import { startRangeServer, type RangeServer } from '../support/range-server.ts';
import { openBrowser, type BrowserSession } from './browser-session.ts';
import { E2E_FIXTURE, MiB } from './e2e-fixture.ts';
import { ensureRendererBuilt, startServe, type ServeProcess } from './serve-process.ts';

describeRootOnly('e2e: hotplug', () => {
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

  itRootOnly('a disk that goes away leaves the list, and the best fit moves on', async () => {
    const large: LoopDevice = await attachLoop({ sizeBytes: 96 * MiB });
    const small: LoopDevice = await attachLoop({ sizeBytes: 48 * MiB });
    let serve: ServeProcess | null = null;
    let browser: BrowserSession | null = null;
    try {
      serve = await startServe({ onlyDevices: [large.device, small.device], allowLoop: true });
      browser = await openBrowser();
      const { page } = browser;
      await page.goto(serve.url);
      await page.getByLabel('Image URL').fill(http.url('os.cosi'));
      await page.getByRole('button', { name: 'Inspect' }).click();
      await page.getByRole('button', { name: 'Choose target disk' }).click();
      await page.getByRole('switch', { name: 'Show virtual disks' }).check();
      await page.locator(`input[type=radio][value="${small.device}"]:checked`).waitFor();
      expect(await page.locator('input[type=radio][name=target-disk]').count()).toBe(2);

      await small.detach();
      // The server polls about every 2 s; the page updates on its own.
      await page.locator(`input[type=radio][value="${small.device}"]`).waitFor({ state: 'detached', timeout: 30_000 });
      await page.locator(`input[type=radio][value="${large.device}"]:checked`).waitFor();
      await page.locator('.disk-selected').getByText('Best fit').waitFor();
      expect(browser.problems).toEqual([]);
    } catch (error) {
      throw new Error(`${String(error)}\n${(await browser?.describeFailure('hotplug')) ?? ''}\nserver output:\n${serve?.output() ?? ''}`, { cause: error });
    } finally {
      await browser?.close();
      await serve?.stop();
      await small.detach();
      await large.detach();
    }
  });
});
