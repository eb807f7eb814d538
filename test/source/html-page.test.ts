/**
 * A web page served where an image was expected (a sign-in page, an expired signed link) is
 * reported as E_HTML_PAGE, before any "no byte ranges" verdict, by a plain Node HTTP server
 * on 127.0.0.1 that answers every request like such portals do.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectCosi } from '../../src/cosi/inspect-cosi.ts';
import { isHtmlContentType, looksLikeHtml } from '../../src/source/html-page.ts';
import { openSource } from '../../src/source/open-source.ts';

const PAGE = Buffer.from(`\n<!DOCTYPE html><html><head><title>Sign in</title></head><body>${'<p>Your session expired.</p>'.repeat(200)}</body></html>`);

interface Route {
  readonly contentType: string | null;
  readonly ranges: boolean;
  readonly body: Buffer;
}

const ROUTES: Record<string, Route> = {
  '/login-html': { contentType: 'text/html; charset=utf-8', ranges: false, body: PAGE },
  '/login-no-type': { contentType: null, ranges: false, body: PAGE },
  '/html-with-ranges': { contentType: 'text/html', ranges: true, body: PAGE },
  '/binary-no-ranges': { contentType: 'application/octet-stream', ranges: false, body: Buffer.alloc(4096, 1) },
};

describe('an HTML page served with 200', () => {
  let server: Server;
  let base = '';
  beforeAll(async () => {
    server = createServer((request, response) => {
      const route = ROUTES[request.url ?? ''];
      if (!route) {
        response.writeHead(404).end();
        return;
      }
      const headers: Record<string, string> = route.contentType ? { 'content-type': route.contentType } : {};
      const range = /^bytes=(\d+)-(\d+)$/.exec(request.headers.range ?? '');
      if (route.ranges && range) {
        const first = Number(range[1]);
        const last = Math.min(Number(range[2]), route.body.length - 1);
        response.writeHead(206, { ...headers, 'content-range': `bytes ${first}-${last}/${route.body.length}`, 'content-length': String(last - first + 1) });
        response.end(request.method === 'HEAD' ? undefined : route.body.subarray(first, last + 1));
        return;
      }
      response.writeHead(200, { ...headers, 'content-length': String(route.body.length), ...(route.ranges ? { 'accept-ranges': 'bytes' } : {}) });
      response.end(request.method === 'HEAD' ? undefined : route.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => new Promise<void>((resolve) => server.close(() => resolve())));

  const inspect = async (route: string): Promise<unknown> => {
    const source = await openSource(`${base}${route}`, { maxRetries: 0 });
    try {
      return await inspectCosi(source);
    } finally {
      await source.close();
    }
  };

  it('with Content-Type text/html and no ranges: E_HTML_PAGE, not E_HTTP_NO_RANGES', async () => {
    await expect(openSource(`${base}/login-html`)).rejects.toMatchObject({ code: 'E_HTML_PAGE', detail: expect.stringMatching(/web page \(HTML\).*Content-Type text\/html.*login or error page/) });
  });

  it('without a Content-Type but starting with "<": E_HTML_PAGE', async () => {
    await expect(openSource(`${base}/login-no-type`)).rejects.toMatchObject({ code: 'E_HTML_PAGE', detail: expect.stringContaining('starts with "<"') });
  });

  it('an HTML file served with byte ranges: E_HTML_PAGE when opened', async () => {
    await expect(inspect('/html-with-ranges')).rejects.toMatchObject({ code: 'E_HTML_PAGE' });
  });

  it('a binary file without ranges is still E_HTTP_NO_RANGES', async () => {
    await expect(openSource(`${base}/binary-no-ranges`)).rejects.toMatchObject({ code: 'E_HTTP_NO_RANGES' });
  });
});

describe('html-page helpers', () => {
  it('isHtmlContentType', () => {
    expect(['text/html', 'Text/HTML; charset=utf-8', 'application/xhtml+xml'].map(isHtmlContentType)).toEqual([true, true, true]);
    expect(['application/octet-stream', 'text/plain', null, ''].map(isHtmlContentType)).toEqual([false, false, false, false]);
  });

  it('looksLikeHtml skips a BOM and whitespace', () => {
    expect(looksLikeHtml(Buffer.from('\uFEFF \r\n<html>'))).toBe(true);
    expect(looksLikeHtml(Buffer.from('ustar <'))).toBe(false);
    expect(looksLikeHtml(Buffer.alloc(0))).toBe(false);
  });
});
