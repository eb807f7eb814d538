/**
 * Serves the built renderer (dist/renderer) read-only: GET/HEAD, no directory listings, no
 * path escapes, `index.html` for `/` and for unknown extension-less paths (client routes),
 * strict security headers on every answer.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/** The Content-Type for a file extension (with the dot), octet-stream when unknown. */
export function contentTypeFor(extension: string): string {
  return CONTENT_TYPES[extension.toLowerCase()] ?? 'application/octet-stream';
}

/** Headers every web-mode response carries. */
export function securityHeaders(csp: string): Record<string, string> {
  return {
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    // The token is in the page URL: never send it anywhere as a Referer.
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), usb=(), serial=(), hid=()',
  };
}

export async function serveStatic(request: IncomingMessage, response: ServerResponse, options: { root: string; csp: string }): Promise<void> {
  const headers = securityHeaders(options.csp);
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { ...headers, Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' }).end('Method not allowed\n');
    return;
  }
  const pathname = new URL(request.url ?? '/', 'http://x').pathname;
  const file = await resolveStaticFile(options.root, pathname);
  if (file === null && pathname === '/favicon.ico') {
    // Browsers ask for it unprompted; answer quietly instead of logging a 404 in the console.
    response.writeHead(204, headers).end();
    return;
  }
  if (file === null) {
    const missingBuild = !(await isFile(path.join(options.root, 'index.html')));
    const message = missingBuild ? 'The UI is not built. Run `npm run build:renderer`, then start `cosiflash serve` again.\n' : 'Not found\n';
    response.writeHead(missingBuild ? 503 : 404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end(message);
    return;
  }
  const extension = path.extname(file.path).toLowerCase();
  response.writeHead(200, {
    ...headers,
    'Content-Type': contentTypeFor(extension),
    'Content-Length': String(file.sizeBytes),
    // Vite puts content hashes in asset names; the page itself must always be fresh.
    'Cache-Control': extension === '.html' ? 'no-store' : 'public, max-age=3600',
  });
  if (request.method === 'HEAD') {
    response.end();
    return;
  }
  createReadStream(file.path)
    .on('error', () => response.destroy())
    .pipe(response);
}

/** The file under `root` that a URL path names (index.html for `/` and client routes), or null. */
export async function resolveStaticFile(root: string, pathname: string): Promise<{ path: string; sizeBytes: number } | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const base = path.resolve(root);
  const candidate = path.resolve(base, `.${path.posix.normalize(`/${decoded}`)}`);
  if (candidate !== base && !candidate.startsWith(`${base}${path.sep}`)) return null;
  const direct = candidate === base ? path.join(base, 'index.html') : candidate;
  const info = await statFile(direct);
  if (info !== null) return { path: direct, sizeBytes: info };
  if (path.extname(decoded) === '') {
    const index = path.join(base, 'index.html');
    const indexSize = await statFile(index);
    if (indexSize !== null) return { path: index, sizeBytes: indexSize };
  }
  return null;
}

async function statFile(file: string): Promise<number | null> {
  try {
    const info = await stat(file);
    return info.isFile() ? info.size : null;
  } catch {
    return null;
  }
}

async function isFile(file: string): Promise<boolean> {
  return (await statFile(file)) !== null;
}
