/**
 * The desktop app's renderer scheme (app://cosiflash/): only the built renderer's files, with
 * exactly web mode's Content-Security-Policy, the same policy as index.html's meta tag.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { APP_ENTRY_URL, appProtocolHandler } from '../../electron/app-protocol.ts';
import { appUrlPolicy } from '../../electron/app-url.ts';
import { contentSecurityPolicy } from '../../src/web/content-security-policy.ts';
import { securityHeaders } from '../../src/web/static-files.ts';

const root = mkdtempSync(path.join(os.tmpdir(), 'cosiflash-app-scheme-'));
mkdirSync(path.join(root, 'assets'));
writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>app</title>');
writeFileSync(path.join(root, 'assets', 'main.js'), 'console.log(1)');
writeFileSync(path.join(os.tmpdir(), 'cosiflash-outside-secret.txt'), 'secret');
afterAll(() => rmSync(root, { recursive: true, force: true }));

const csp = contentSecurityPolicy();
const handler = appProtocolHandler({ root, csp });

describe('app:// renderer scheme', () => {
  it('serves the entry page and assets with web mode\'s headers, CSP included', async () => {
    const page = await handler(new Request(APP_ENTRY_URL));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>app</title>');
    for (const [name, value] of Object.entries(securityHeaders(csp))) expect(page.headers.get(name)).toBe(value);
    const script = await handler(new Request('app://cosiflash/assets/main.js'));
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  });

  it('serves nothing outside the renderer folder, from another host, or for other methods', async () => {
    for (const url of ['app://cosiflash/../cosiflash-outside-secret.txt', 'app://cosiflash/%2e%2e/cosiflash-outside-secret.txt', 'app://cosiflash/%2e%2e%2fcosiflash-outside-secret.txt', 'app://cosiflash/assets/none.js']) {
      const answer = await handler(new Request(url));
      expect(answer.status, url).toBe(404);
      expect(await answer.text()).not.toContain('secret');
    }
    expect((await handler(new Request('app://elsewhere/index.html'))).status).toBe(404);
    expect((await handler(new Request(APP_ENTRY_URL, { method: 'POST', body: 'x' }))).status).toBe(405);
  });

  it('is the only app page: file:// URLs are not the app any more', () => {
    const policy = appUrlPolicy();
    expect(policy.entryUrl).toBe(APP_ENTRY_URL);
    expect(policy.isAppUrl(`${APP_ENTRY_URL}#/flash`)).toBe(true);
    expect(policy.isAppUrl('file:///opt/Cosiflash/resources/app.asar/dist/renderer/index.html')).toBe(false);
    expect(policy.isAppUrl('app://cosiflash.evil/index.html')).toBe(false);
    expect(policy.isAppUrl('app://cosiflash/other.html')).toBe(false);
  });

  it('index.html carries the same policy in its meta tag (source and built page), less frame-ancestors', () => {
    // A meta tag cannot carry frame-ancestors (Chromium ignores it there with a console error).
    const metaPolicy = csp.replace("; frame-ancestors 'none'", '');
    expect(metaPolicy).not.toBe(csp);
    const built = path.join(import.meta.dirname, '..', '..', 'dist', 'renderer', 'index.html');
    for (const file of [path.join(import.meta.dirname, '..', '..', 'renderer', 'index.html'), built]) {
      const html = readFileSync(file, 'utf8');
      const meta = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/i.exec(html);
      expect(meta?.[1], file).toBe(metaPolicy);
      expect(meta?.[1]).not.toContain('*');
    }
  });
});
