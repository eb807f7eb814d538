/**
 * End to end, the accessibility audit (issue #12 §6): axe-core on every screen — Source
 * (empty and with an invalid input), Review, Target, the Confirm dialog, Flash, Done
 * (verified, failed and cancelled), History and the bench Station (waiting, countdown,
 * verified lane), and a job writing several disks (multi-select Target, the Confirm naming
 * each, the per-disk lanes, Done with one disk failed) — in the light and the dark theme. No violation of impact serious or
 * critical is allowed. Screenshots of every audited screen and theme go to
 * test-artifacts/screenshots/a11y-<screen>-<theme>.png.
 */
import { execFile } from 'node:child_process';
import { truncate } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { buildCosiFixture } from '../support/cosi-fixtures.ts';
import { attachLoop, attachTmpfsLoop, describeRootOnly, itRootOnly, type LoopDevice } from '../support/loop-device.ts';
import { auditScreen, type Theme } from './axe-audit.ts';
import { openBrowser, type BrowserSession } from './browser-session.ts';
import { E2E_FIXTURE, MiB } from './e2e-fixture.ts';
import { openTargetScreen, serveE2eImages, tickDisks, withServeAndBrowser } from './e2e-setup.ts';
import { startServe, type ServeProcess } from './serve-process.ts';
import { attachEmptyLoop } from './empty-loop.ts';

const run = promisify(execFile);

/** Audits the screen in both themes, saving a screenshot of each; findings are collected, not thrown, so one run lists them all. */
async function audit(browser: BrowserSession, screen: string, findings: string[]): Promise<void> {
  findings.push(...(await auditScreen(browser.page, screen, async (theme: Theme) => void (await browser.screenshot(`a11y-${screen}-${theme}`)))));
}

async function flashFrom(page: Page, loop: LoopDevice, imageUrl: string): Promise<void> {
  await openTargetScreen(page, imageUrl);
  await page.locator(`input[type=radio][value="${loop.device}"]:checked`).waitFor();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('button', { name: `Erase and flash ${loop.device}` }).click();
}

describeRootOnly('e2e: accessibility audit (axe-core) of every screen, light and dark', () => {
  const images = serveE2eImages(async (fixture) => {
    const corrupt = await buildCosiFixture(E2E_FIXTURE, { corruptCompressed: { region: 3 } });
    return { 'images/os.cosi': fixture.cosiPath, 'images/corrupt.cosi': corrupt.cosiPath };
  });

  itRootOnly('source, review, target, confirm, flash, done (verified, failed, cancelled), history', async () => {
    const loop = await attachLoop({ sizeBytes: 64 * MiB });
    const { fixture, http } = images;
    const findings: string[] = [];
    try {
      await withServeAndBrowser({ loops: [loop], failureName: 'accessibility' }, async ({ serve, browser, page }) => {
        await page.goto(serve.url);
        await page.getByRole('heading', { name: 'Choose an image' }).waitFor({ timeout: 90_000 });
        await audit(browser, 'source', findings);

        // An invalid input is marked and linked to its error text.
        await page.getByLabel('Image URL').fill(http.url('images/os.cosi'));
        await page.getByLabel('Expected image hash').fill('sha256:1234');
        await page.getByRole('button', { name: 'Inspect' }).click();
        await page.getByRole('alert').waitFor({ timeout: 60_000 });
        const hashInput = page.getByLabel('Expected image hash');
        expect(await hashInput.getAttribute('aria-invalid')).toBe('true');
        const describedBy = (await hashInput.getAttribute('aria-describedby')) ?? '';
        expect(describedBy).not.toBe('');
        expect(await page.locator(`[id="${describedBy.split(' ')[0]}"]`).innerText()).toMatch(/hash/i);
        await audit(browser, 'source-error', findings);
        await page.getByRole('button', { name: 'Dismiss error' }).click();

        await page.getByLabel('Expected image hash').fill(fixture.imageHash);
        expect(await hashInput.getAttribute('aria-invalid')).not.toBe('true');
        await page.getByRole('button', { name: 'Inspect' }).click();
        await page.getByRole('heading', { name: 'Partitions' }).waitFor({ timeout: 90_000 });
        // Partitions are told apart by name, not only by colour: every partition the bar shows has its name on it.
        for (const region of fixture.regions.filter((r) => r.type === 'partition')) {
          await page.locator('.disk-bar').getByText(region.name, { exact: true }).waitFor();
        }
        await audit(browser, 'review', findings);

        await page.getByRole('button', { name: 'Choose target disk' }).click();
        await page.getByRole('heading', { name: 'Choose the disk to erase' }).waitFor();
        await page.getByRole('switch', { name: 'Show virtual disks' }).check();
        await page.locator(`input[type=radio][value="${loop.device}"]:checked`).waitFor();
        await audit(browser, 'target', findings);

        await page.getByRole('button', { name: 'Continue' }).click();
        const dialog = page.getByRole('dialog', { name: 'Erase this disk?' });
        await dialog.waitFor();
        await audit(browser, 'confirm', findings);

        // Hold the download so the Flash screen stays up while it is audited.
        http.setFaults({ stallAfterBytes: 256 * 1024, stallMs: 15_000 });
        await dialog.getByRole('button', { name: `Erase and flash ${loop.device}` }).click();
        await page.getByRole('progressbar', { name: 'root', exact: true }).waitFor({ timeout: 90_000 });
        await audit(browser, 'flash', findings);
        http.setFaults({});

        await page.getByRole('heading', { name: 'Verified', level: 1 }).waitFor({ timeout: 120_000 });
        await audit(browser, 'done-verified', findings);

        await page.getByRole('button', { name: 'History' }).click();
        await page.getByRole('heading', { name: 'History', level: 1 }).waitFor();
        await page.locator('table.history-table').getByText('Verified').waitFor();
        await audit(browser, 'history', findings);
        await page.getByRole('button', { name: 'Close history' }).click();

        // A flash that fails: a corrupt partition image.
        await page.goto(serve.url);
        await flashFrom(page, loop, http.url('images/corrupt.cosi'));
        await page.getByRole('heading', { name: 'Failed', level: 1 }).waitFor({ timeout: 120_000 });
        // The image is at fault: its actions, not "Flash another disk" (another disk would fail the same way).
        await page.getByText('The image is at fault').waitFor();
        expect(await page.getByRole('button', { name: 'Flash another disk' }).count()).toBe(0);
        expect(await page.locator('.done .actions .button-primary').innerText()).toBe('Verify image');
        await page.getByRole('button', { name: 'Verify image' }).click();
        const command = await page.getByLabel('Verify command', { exact: true }).innerText();
        expect(command.startsWith(`cosiflash verify ${http.url('images/corrupt.cosi')} --hash sha384:`)).toBe(true);
        await audit(browser, 'done-failed', findings);

        // A flash that is cancelled (with the inline "stop flashing?" question audited too).
        await page.goto(serve.url);
        http.setFaults({ stallAfterBytes: 256 * 1024, stallMs: 20_000 });
        await flashFrom(page, loop, http.url('images/os.cosi'));
        await page.getByRole('progressbar', { name: 'root', exact: true }).waitFor({ timeout: 90_000 });
        await page.getByRole('button', { name: 'Cancel' }).click();
        await page.getByRole('alertdialog').waitFor();
        await audit(browser, 'flash-cancel-question', findings);
        await page.getByRole('button', { name: 'Stop flashing' }).click();
        await page.getByRole('heading', { name: 'Cancelled', level: 1 }).waitFor({ timeout: 60_000 });
        http.setFaults({});
        await audit(browser, 'done-cancelled', findings);

        expect(findings, findings.join('\n')).toEqual([]);
        expect(browser.problems).toEqual([]);
      });
    } finally {
      http.setFaults({});
      await loop.detach();
    }
  }, 480_000);

  itRootOnly('several disks: multi-select target, confirm naming each, lanes, done with one disk failed', async () => {
    const { http } = images;
    const findings: string[] = [];
    const loops: LoopDevice[] = [];
    try {
      loops.push(await attachLoop({ sizeBytes: 64 * MiB }));
      // Holds only 8 MiB of its 64: writing past that fails inside the kernel (ENOSPC), so the job drops this disk alone.
      loops.push(await attachTmpfsLoop({ sizeBytes: 64 * MiB, tmpfsBytes: 8 * MiB }));
      loops.push(await attachLoop({ sizeBytes: 64 * MiB }));
      const full = loops[1] as LoopDevice;
      await withServeAndBrowser({ loops, failureName: 'accessibility-multi' }, async ({ serve, browser, page }) => {
        await page.goto(serve.url);
        await openTargetScreen(page, http.url('images/os.cosi'));
        await page.locator('input[type=radio]:checked').waitFor();
        await tickDisks(page, loops.map((loop) => loop.device));
        await page.getByText('3 disks ticked').waitFor();
        await audit(browser, 'target-multi', findings);

        await page.getByRole('button', { name: 'Continue with 3 disks' }).click();
        const dialog = page.getByRole('dialog', { name: 'Erase these 3 disks?' });
        await dialog.waitFor();
        await audit(browser, 'confirm-multi', findings);

        http.setFaults({ stallAfterBytes: 256 * 1024, stallMs: 15_000 });
        await dialog.getByRole('button', { name: 'Erase and flash 3 disks' }).click();
        for (const loop of loops) await page.getByRole('progressbar', { name: `${loop.device} overall` }).waitFor({ timeout: 90_000 });
        await audit(browser, 'flash-lanes', findings);
        http.setFaults({});

        await page.getByRole('heading', { name: '2 of 3 disks verified', level: 1 }).waitFor({ timeout: 180_000 });
        const failedCard = page.locator('li.target-verdict', { hasText: full.device });
        expect(await failedCard.locator('.phase').first().textContent()).toBe('Failed');
        await failedCard.getByRole('button', { name: 'Try another disk' }).waitFor();
        expect(await page.locator('.target-verdict-head .phase', { hasText: 'Verified' }).count()).toBe(2);
        await audit(browser, 'done-multi', findings);

        expect(findings, findings.join('\n')).toEqual([]);
        expect(browser.problems).toEqual([]);
      });
    } finally {
      http.setFaults({});
      for (const loop of loops.reverse()) await loop.detach();
    }
  }, 480_000);

  itRootOnly('station view: waiting, countdown and a verified lane', async () => {
    const { fixture, http } = images;
    const findings: string[] = [];
    const loop = await attachEmptyLoop('a11y-station');
    const { device, backing } = loop;
    let serve: ServeProcess | null = null;
    let browser: BrowserSession | null = null;
    try {
      serve = await startServe({ onlyDevices: [device], allowLoop: true, extraArgs: ['--image', http.url('images/os.cosi'), '--hash', fixture.imageHash, '--auto-flash'] });
      browser = await openBrowser();
      const { page } = browser;
      await page.goto(serve.url);
      await page.getByText('Auto-flash is on').waitFor({ timeout: 90_000 });
      await audit(browser, 'station-waiting', findings);

      await truncate(backing, 64 * MiB);
      await run('losetup', ['-c', device]);
      await page.getByText(/Flashing in \d s/).waitFor({ timeout: 90_000 });
      await audit(browser, 'station-countdown', findings);
      const lane = page.getByRole('group', { name: `Lane ${device}` });
      await lane.getByText('Verified').waitFor({ timeout: 180_000 });
      await audit(browser, 'station-verified', findings);

      expect(findings, findings.join('\n')).toEqual([]);
      expect(browser.problems).toEqual([]);
    } catch (error) {
      throw new Error(`${String(error)}\n${(await browser?.describeFailure('a11y-station')) ?? ''}\nserver output:\n${serve?.output() ?? ''}`, { cause: error });
    } finally {
      await browser?.close();
      await serve?.stop();
      await loop.detach();
    }
  }, 300_000);
});
