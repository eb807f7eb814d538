/**
 * The renderer is served from a privileged custom scheme, `app://cosiflash/`, instead of
 * file:// (Electron security checklist: file:// pages share one origin with every local file).
 * Every answer carries the same Content-Security-Policy and security headers as web mode, and
 * only files inside the built renderer folder are served (the same path resolution as web mode).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { contentTypeFor, resolveStaticFile, securityHeaders } from '../src/web/static-files.ts';

export const APP_SCHEME = 'app';
export const APP_HOST = 'cosiflash';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/** Passed to protocol.registerSchemesAsPrivileged before the app is ready. */
export const APP_SCHEME_PRIVILEGES = { standard: true, secure: true, supportFetchAPI: true, codeCache: true } as const;

/** The handler for protocol.handle(APP_SCHEME, …): GET/HEAD of files under `root` only. */
export function appProtocolHandler(options: { root: string; csp: string }): (request: Request) => Promise<Response> {
  const headers = securityHeaders(options.csp);
  const text = (status: number, body: string): Response => new Response(body, { status, headers: { ...headers, 'Content-Type': 'text/plain; charset=utf-8' } });
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return text(405, 'Method not allowed\n');
    const url = new URL(request.url);
    if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return text(404, 'Not found\n');
    const file = await resolveStaticFile(options.root, url.pathname);
    if (file === null) return text(404, 'Not found\n');
    const body = request.method === 'HEAD' ? null : await readFile(file.path);
    return new Response(body, { status: 200, headers: { ...headers, 'Content-Type': contentTypeFor(path.extname(file.path)), 'Cache-Control': 'no-store' } });
  };
}
