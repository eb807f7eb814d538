/**
 * End to end, the cues for a technician who is not looking at the tab (issue 12 §1): while a
 * loop device is flashed from the web UI in Chromium the tab title carries the percentage, and
 * at the end it names the result; a tone starts and a browser Notification is shown, for a
 * verified flash and for a failed one.
 *
 * The page runs with notifications granted to its origin, and an init script wraps
 * document.title's setter, window.Notification and AudioContext: each wrapper writes down what
 * the app asked for and then calls the real one, so the real browser APIs still run.
 */
import { execFile } from 'node:child_process';
import { truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import { expect } from 'vitest';
import { buildCosiFixture } from '../support/cosi-fixtures.ts';
import { attachLoop, describeRootOnly, itRootOnly, type LoopDevice } from '../support/loop-device.ts';
import { openBrowser, SCREENSHOT_DIR, type BrowserSession } from './browser-session.ts';
import { E2E_FIXTURE, MiB } from './e2e-fixture.ts';
import { openTargetScreen, serveE2eImages, tickDisks, withServeAndBrowser } from './e2e-setup.ts';
import { startServe, type ServeProcess } from './serve-process.ts';
import { attachEmptyLoop } from './empty-loop.ts';

const run = promisify(execFile);

/** What the init script writes down in the page. */
interface CueRecord {
  /** Every title the app set, with the Overall bar's percentage on the page at that moment (null: no bar). */
  titles: { title: string; overallPercent: number | null }[];
  notifications: { title: string; body: string | null; permission: string }[];
  tones: { frequencyHz: number; contextState: string }[];
}

declare global {
  interface Window {
    __cues: CueRecord;
  }
}

/**
 * A string, not a function: the test runner's transform would add helpers to a function's
 * source that do not exist in the page.
 */
const RECORD_CUES = `(() => {
  const cues = { titles: [], notifications: [], tones: [] };
  window.__cues = cues;

  const titleProperty = Object.getOwnPropertyDescriptor(Document.prototype, 'title');
  Object.defineProperty(Document.prototype, 'title', {
    configurable: true,
    enumerable: titleProperty.enumerable,
    get() { return titleProperty.get.call(this); },
    set(value) {
      const bar = document.querySelector('[role=progressbar][aria-label=Overall]');
      cues.titles.push({ title: String(value), overallPercent: bar === null ? null : Number(bar.getAttribute('aria-valuenow')) });
      titleProperty.set.call(this, value);
    },
  });

  const RealNotification = window.Notification;
  class RecordedNotification extends RealNotification {
    constructor(title, options) {
      cues.notifications.push({ title: String(title), body: options && options.body !== undefined ? String(options.body) : null, permission: RealNotification.permission });
      super(title, options);
    }
  }
  window.Notification = RecordedNotification;

  const realStart = OscillatorNode.prototype.start;
  OscillatorNode.prototype.start = function (...args) {
    cues.tones.push({ frequencyHz: this.frequency.value, contextState: this.context.state });
    return realStart.apply(this, args);
  };
})();`;

async function recordCues(context: BrowserContext, serveUrl: string): Promise<void> {
  await context.grantPermissions(['notifications'], { origin: new URL(serveUrl).origin });
  await context.addInitScript({ content: RECORD_CUES });
}

function cues(page: Page): Promise<CueRecord> {
  return page.evaluate(() => window.__cues);
}

/** The titles set while `device` was flashing ("42% · /dev/loop3 — Cosiflash"): their percentage and the page's. */
function progressTitles(titles: CueRecord['titles'], device: string): { percent: number; overallPercent: number | null }[] {
  const pattern = new RegExp(`^(\\d+)% · ${device.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} — Cosiflash$`);
  return titles.flatMap(({ title, overallPercent }) => {
    const match = pattern.exec(title);
    return match === null ? [] : [{ percent: Number(match[1]), overallPercent }];
  });
}

/**
 * Evaluates in the page over plain CDP, which (unlike Playwright's own calls) does not count as
 * a user gesture: the page stays "never clicked", as a station page left alone is.
 */
async function evaluateUntouched<T>(cdp: CDPSession, expression: string): Promise<T> {
  const { result, exceptionDetails } = await cdp.send('Runtime.evaluate', { expression, returnByValue: true });
  if (exceptionDetails !== undefined) throw new Error(`page: ${exceptionDetails.text}`);
  return result.value as T;
}

describeRootOnly('e2e: finish cues in web mode (tab title, tone, notification)', () => {
  const images = serveE2eImages(async (fixture) => {
    // The data partition's compressed bytes no longer match the SHA-384 in metadata.json.
    const corrupt = await buildCosiFixture(E2E_FIXTURE, { corruptCompressed: { region: 3 } });
    return { 'images/os.cosi': fixture.cosiPath, 'images/corrupt.cosi': corrupt.cosiPath };
  });

  async function flashFromUi(page: Page, serveUrl: string, loop: LoopDevice, imagePath: string): Promise<void> {
    await page.goto(serveUrl);
    await openTargetScreen(page, images.http.url(imagePath));
    await page.locator(`input[type=radio][value="${loop.device}"]:checked`).waitFor();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: `Erase and flash ${loop.device}` }).click();
  }

  itRootOnly('verified: the title counts up during the flash and says Verified after; one tone and one notification', async () => {
    const loop = await attachLoop({ sizeBytes: 64 * MiB });
    const { http } = images;
    try {
      await withServeAndBrowser({ loops: [loop], failureName: 'finish-cues-verified' }, async ({ serve, browser, page }) => {
        await recordCues(browser.context, serve.url);
        try {
          // Hold the download part-way so the flash is seen mid-flight (no timing is asserted).
          http.setFaults({ stallAfterBytes: 256 * 1024, stallMs: 3000, stallCount: 1 });
          await flashFromUi(page, serve.url, loop, 'images/os.cosi');
          await expect.poll(() => page.title(), { timeout: 60_000 }).toMatch(/^\d+% · /);
          await page.waitForFunction(() => Number(document.querySelector('[role=progressbar][aria-label=Overall]')?.getAttribute('aria-valuenow') ?? '0') > 0, undefined, { timeout: 60_000 });
          await browser.screenshot('cues-flash-title');
          await page.getByRole('heading', { name: 'Verified', level: 1 }).waitFor({ timeout: 120_000 });
        } finally {
          http.setFaults({});
        }
        await expect.poll(() => page.title()).toBe(`✓ Verified · ${loop.device} — Cosiflash`);
        await expect.poll(async () => (await cues(page)).notifications.length).toBe(1);
        await browser.screenshot('cues-done-title');
        const record = await cues(page);

        // Title: the percentage the Flash screen shows, never going back, then the result.
        const during = progressTitles(record.titles, loop.device);
        const percents = during.map((entry) => entry.percent);
        expect(percents.some((percent) => percent > 0 && percent < 100)).toBe(true);
        expect(percents).toEqual([...percents].sort((a, b) => a - b));
        for (const entry of during) if (entry.overallPercent !== null) expect(entry.percent).toBe(entry.overallPercent);
        const titles = record.titles.map((entry) => entry.title);
        expect(titles.at(-1)).toBe(`✓ Verified · ${loop.device} — Cosiflash`);
        expect(titles.indexOf(`✓ Verified · ${loop.device} — Cosiflash`)).toBeGreaterThan(titles.findLastIndex((title) => /^\d+% · /.test(title)));

        // Notification: the real one, allowed, naming the result and the disk.
        expect(record.notifications).toEqual([{ title: `Cosiflash: verified ${loop.device}`, body: 'The disk is ready.', permission: 'granted' }]);

        // Tone: started once, in a context the page may play from (the user clicked to flash).
        expect(record.tones).toHaveLength(1);
        expect(record.tones[0]?.contextState).toBe('running');
        expect(browser.problems).toEqual([]);
      });
    } finally {
      await loop.detach();
    }
  });

  itRootOnly('failed: the title says Failed; one tone and a notification with the error', async () => {
    const loop = await attachLoop({ sizeBytes: 64 * MiB });
    try {
      await withServeAndBrowser({ loops: [loop], failureName: 'finish-cues-failed' }, async ({ serve, browser, page }) => {
        await recordCues(browser.context, serve.url);
        await flashFromUi(page, serve.url, loop, 'images/corrupt.cosi');
        await page.getByRole('heading', { name: 'Failed', level: 1 }).waitFor({ timeout: 120_000 });
        await expect.poll(() => page.title()).toBe(`✕ Failed · ${loop.device} — Cosiflash`);
        await expect.poll(async () => (await cues(page)).notifications.length).toBe(1);
        await browser.screenshot('cues-failed-title');
        const record = await cues(page);
        expect(record.titles.at(-1)?.title).toBe(`✕ Failed · ${loop.device} — Cosiflash`);

        // Notification: names the result and the disk; its body is the error the Done screen shows.
        const errorTitle = (await page.getByRole('alert').locator('.error-title').innerText()).trim();
        expect(errorTitle).not.toBe('');
        expect(record.notifications).toEqual([{ title: `Cosiflash: failed ${loop.device}`, body: errorTitle, permission: 'granted' }]);

        expect(record.tones).toHaveLength(1);
        expect(record.tones[0]?.contextState).toBe('running');
        expect(browser.problems).toEqual([]);
      });
    } finally {
      await loop.detach();
    }
  });

  itRootOnly('two disks in one job: the title and the notification name the count, not the first disk', async () => {
    const { http } = images;
    const loops: LoopDevice[] = [];
    try {
      loops.push(await attachLoop({ sizeBytes: 64 * MiB }), await attachLoop({ sizeBytes: 64 * MiB }));
      await withServeAndBrowser({ loops, failureName: 'finish-cues-two-disks' }, async ({ serve, browser, page }) => {
        await recordCues(browser.context, serve.url);
        try {
          http.setFaults({ stallAfterBytes: 256 * 1024, stallMs: 3000, stallCount: 1 });
          await page.goto(serve.url);
          await openTargetScreen(page, http.url('images/os.cosi'));
          await page.locator('input[type=radio]:checked').waitFor();
          await tickDisks(page, loops.map((loop) => loop.device));
          await page.getByRole('button', { name: 'Continue with 2 disks' }).click();
          await page.getByRole('button', { name: 'Erase and flash 2 disks' }).click();
          await page.getByRole('heading', { name: 'All 2 disks verified', level: 1 }).waitFor({ timeout: 180_000 });
        } finally {
          http.setFaults({});
        }
        await expect.poll(() => page.title()).toBe('✓ Verified · 2 disks — Cosiflash');
        await expect.poll(async () => (await cues(page)).notifications.length).toBe(1);
        const record = await cues(page);
        const during = record.titles.map((entry) => entry.title).filter((title) => /^\d+% · /.test(title));
        expect(during.length).toBeGreaterThan(0);
        for (const title of during) expect(title).toMatch(/^\d+% · 2 disks — Cosiflash$/);
        expect(record.notifications).toEqual([{ title: 'Cosiflash: verified 2 disks', body: 'The disks are ready.', permission: 'granted' }]);
        expect(record.tones).toHaveLength(1);
        expect(browser.problems).toEqual([]);
      });
    } finally {
      for (const loop of loops.reverse()) await loop.detach();
    }
  }, 300_000);

  itRootOnly('station, nobody clicked: the page says sound is off and offers one button; after it, an auto-flash ends with a tone and a notification', async () => {
    const { fixture, http } = images;
    const loop = await attachEmptyLoop('cues-station');
    const { device, backing } = loop;
    let serve: ServeProcess | null = null;
    let browser: BrowserSession | null = null;
    try {
      serve = await startServe({ onlyDevices: [device], allowLoop: true, extraArgs: ['--image', http.url('images/os.cosi'), '--hash', fixture.imageHash, '--auto-flash'] });
      browser = await openBrowser();
      const { page } = browser;
      await recordCues(browser.context, serve.url);
      await page.goto(serve.url);
      const cdp = await browser.context.newCDPSession(page);

      // Untouched: the browser would keep the page silent, and the station view says so.
      const turnOn = `[...document.querySelectorAll('button')].find((button) => button.textContent === 'Turn on sound')`;
      await expect.poll(() => evaluateUntouched<boolean>(cdp, `${turnOn} !== undefined`), { timeout: 30_000 }).toBe(true);
      expect(await evaluateUntouched<boolean>(cdp, 'navigator.userActivation.hasBeenActive')).toBe(false);
      expect(await evaluateUntouched<string>(cdp, `document.querySelector('.station-sound-off')?.textContent ?? ''`)).toContain('Sound is off');
      const shot = (await cdp.send('Page.captureScreenshot', { format: 'png' })) as { data: string };
      await writeFile(path.join(SCREENSHOT_DIR, 'cues-station-sound-off.png'), Buffer.from(shot.data, 'base64'));

      // One real click on the button (raw mouse input at its centre) turns the sound on.
      const box = await evaluateUntouched<{ x: number; y: number }>(cdp, `(() => { const r = ${turnOn}.getBoundingClientRect(); return { x: r.x + r.width / 2, y: r.y + r.height / 2 }; })()`);
      await page.mouse.click(box.x, box.y);
      await page.getByRole('button', { name: 'Turn on sound' }).waitFor({ state: 'detached' });
      await expect.poll(() => page.locator('.station-sound-off').count()).toBe(0);

      // The disk "arrives" (the loop device gets its size) and is flashed with no click.
      await truncate(backing, 64 * MiB);
      await run('losetup', ['-c', device]);
      const lane = page.getByRole('group', { name: `Lane ${device}` });
      await lane.waitFor({ timeout: 60_000 });
      await lane.getByText('Verified').waitFor({ timeout: 120_000 });
      await expect.poll(() => page.title()).toBe(`✓ Verified · ${device} — Cosiflash`);
      await expect.poll(async () => (await cues(page)).notifications.length).toBe(1);
      await browser.screenshot('cues-station-verified');

      const record = await cues(page);
      expect(record.titles.at(-1)?.title).toBe(`✓ Verified · ${device} — Cosiflash`);
      expect(record.notifications).toEqual([{ title: `Cosiflash: verified ${device}`, body: 'The disk is ready.', permission: 'granted' }]);
      expect(record.tones).toHaveLength(1);
      expect(record.tones[0]?.contextState).toBe('running');
      expect(browser.problems).toEqual([]);
    } catch (error) {
      throw new Error(`${String(error)}\n${(await browser?.describeFailure('finish-cues-station')) ?? ''}\nserver output:\n${serve?.output() ?? ''}`, { cause: error });
    } finally {
      await browser?.close();
      await serve?.stop();
      await loop.detach();
    }
  });
});
