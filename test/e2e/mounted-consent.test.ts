/**
 * End to end: a disk with a mounted partition is refused until the user agrees, in the
 * Confirm dialog, that it may be unmounted; then it is unmounted and flashed. The mount
 * point is named once (the disk's own list already holds its partitions' mount points).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import { attachLoop, describeRootOnly, itRootOnly } from '../support/loop-device.ts';
import { differingPartitions } from './disk-checks.ts';
import { MiB } from './e2e-fixture.ts';
import { openTargetScreen, serveE2eImages, withServeAndBrowser } from './e2e-setup.ts';

const execFileAsync = promisify(execFile);

async function isMounted(dir: string): Promise<boolean> {
  const { stdout } = await execFileAsync('findmnt', ['-n', '-o', 'TARGET', '--mountpoint', dir]).catch(() => ({ stdout: '' }));
  return stdout.trim() !== '';
}

describeRootOnly('e2e: mounted target needs consent', () => {
  const images = serveE2eImages((fixture) => ({ 'os.cosi': fixture.cosiPath }));

  itRootOnly('refused while mounted; consent in Confirm unmounts it and the flash verifies', async () => {
    const loop = await attachLoop({ sizeBytes: 64 * MiB, partscan: true });
    const mountDir = await mkdtemp(path.join(tmpdir(), 'cosiflash-e2e-mnt-'));
    const { fixture, http } = images;
    try {
      // One GPT partition with a mounted filesystem: the disk counts as mounted.
      await execFileAsync('sgdisk', ['-n', '1:2048:+16M', loop.device]);
      await execFileAsync('partx', ['-u', loop.device]);
      const partition = `${loop.device}p1`;
      await execFileAsync('mkfs.ext4', ['-F', '-q', partition]);
      await execFileAsync('mount', ['-t', 'ext4', partition, mountDir]);
      await withServeAndBrowser({ loops: [loop], failureName: 'mounted' }, async ({ serve, browser, page }) => {
        await page.goto(serve.url);
        await openTargetScreen(page, http.url('os.cosi'));
        const radio = page.locator(`input[type=radio][value="${loop.device}"]`);
        await radio.waitFor();
        const card = page.locator('label.disk', { has: radio });
        const reasons = await card.locator('.disk-reasons').innerText();
        expect(reasons).toContain(`Mounted at ${mountDir} — Cosiflash will unmount it if you agree.`);
        expect(reasons.split(mountDir)).toHaveLength(2);
        // Not pre-selected (it is not eligible as is), but the user may pick it.
        expect(await radio.isChecked()).toBe(false);
        await radio.check();
        await page.getByRole('button', { name: 'Continue' }).click();
        const erase = page.getByRole('button', { name: `Erase and flash ${loop.device}` });
        await erase.waitFor();
        expect(await erase.isDisabled()).toBe(true);
        const consent = page.getByRole('checkbox', { name: /Cosiflash will unmount it if you agree/ });
        expect(await page.locator('label.consent').innerText()).toBe(`Mounted at ${mountDir} — Cosiflash will unmount it if you agree. Programs using it may lose unsaved data.`);
        await consent.check();
        await browser.screenshot('confirm-mounted-consent');
        await erase.click();
        await page.getByRole('heading', { name: 'Verified', level: 1 }).waitFor({ timeout: 120_000 });
        expect(await isMounted(mountDir)).toBe(false);
        expect(await differingPartitions(loop.device, fixture)).toEqual([]);
        expect(browser.problems).toEqual([]);
      });
    } finally {
      if (await isMounted(mountDir)) await execFileAsync('umount', [mountDir]).catch(() => undefined);
      await rmdir(mountDir).catch(() => undefined);
      await loop.detach();
    }
  });
});
