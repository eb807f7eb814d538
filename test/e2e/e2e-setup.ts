/**
 * The setup every end-to-end test shares: the built renderer, the e2e COSI fixture served over
 * HTTP for the whole file, and per test a `cosiflash serve` restricted to the test's own loop
 * devices plus a fresh Chromium session, both always closed, with a screenshot, the page text
 * and the server's output added to any failure.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { buildCosiFixture, type CosiFixture } from '../support/cosi-fixtures.ts';
import type { LoopDevice } from '../support/loop-device.ts';
import { startRangeServer, type RangeServer } from '../support/range-server.ts';
import { openBrowser, type BrowserSession } from './browser-session.ts';
import { E2E_FIXTURE } from './e2e-fixture.ts';
import { ensureRendererBuilt, startServe, type ServeProcess } from './serve-process.ts';

/** What {@link serveE2eImages} sets up; read it inside tests (it exists once beforeAll ran). */
export interface E2eImages {
  /** The {@link E2E_FIXTURE} COSI. */
  readonly fixture: CosiFixture;
  readonly http: RangeServer;
}

/**
 * Registers beforeAll/afterAll for a test file: builds the renderer when missing, builds the
 * {@link E2E_FIXTURE} COSI, and serves the files `files(fixture)` names (URL path → file or bytes).
 */
export function serveE2eImages(files: (fixture: CosiFixture) => Promise<Record<string, string | Buffer>> | Record<string, string | Buffer>): E2eImages {
  let fixture: CosiFixture | undefined;
  let http: RangeServer | undefined;
  beforeAll(async () => {
    await ensureRendererBuilt();
    fixture = await buildCosiFixture(E2E_FIXTURE);
    http = await startRangeServer({ files: await files(fixture) });
  });
  afterAll(async () => {
    await http?.close();
  });
  return {
    get fixture(): CosiFixture {
      if (fixture === undefined) throw new Error('e2e: the fixture is built in beforeAll');
      return fixture;
    },
    get http(): RangeServer {
      if (http === undefined) throw new Error('e2e: the range server starts in beforeAll');
      return http;
    },
  };
}

export interface UiSession {
  readonly serve: ServeProcess;
  readonly browser: BrowserSession;
  readonly page: Page;
}

/**
 * Starts `cosiflash serve --allow-loop` restricted to exactly `loops` (the caller's own loop
 * devices, which the caller attaches and detaches) and a Chromium session, then runs `body`.
 * A failure is rethrown with a screenshot named `failed-<failureName>`, the page text and the
 * server output; the browser is closed and the server stopped either way.
 */
export async function withServeAndBrowser(options: { loops: readonly LoopDevice[]; failureName: string }, body: (session: UiSession) => Promise<void>): Promise<void> {
  let serve: ServeProcess | null = null;
  let browser: BrowserSession | null = null;
  try {
    serve = await startServe({ onlyDevices: options.loops.map((loop) => loop.device), allowLoop: true });
    browser = await openBrowser();
    await body({ serve, browser, page: browser.page });
  } catch (error) {
    throw new Error(`${String(error)}\n${(await browser?.describeFailure(options.failureName)) ?? ''}\nserver output:\n${serve?.output() ?? ''}`, { cause: error });
  } finally {
    await browser?.close();
    await serve?.stop();
  }
}

/** From the Source screen: inspect `imageUrl`, go on to Target and show virtual (loop) disks. */
/** On Target: turns on "Flash several disks" and ticks every one of `devices` (the best fit may be ticked already). */
export async function tickDisks(page: Page, devices: readonly string[]): Promise<void> {
  await page.getByRole('switch', { name: 'Flash several disks' }).check();
  const group = page.getByRole('group', { name: 'Disks to flash' });
  await group.waitFor();
  for (const device of devices) {
    const box = group.locator(`input[type=checkbox][value="${device}"]`);
    if (!(await box.isChecked())) await box.check();
  }
}

export async function openTargetScreen(page: Page, imageUrl: string): Promise<void> {
  await page.getByLabel('Image URL').fill(imageUrl);
  await page.getByRole('button', { name: 'Inspect' }).click();
  await page.getByRole('button', { name: 'Choose target disk' }).click();
  await page.getByRole('switch', { name: 'Show virtual disks' }).check();
}
