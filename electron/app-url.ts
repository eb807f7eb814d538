/**
 * Which page is "the app": the built renderer's index.html (file://) or, in development
 * only, the Vite dev server. IPC senders and navigations are checked against this.
 */
import { pathToFileURL } from 'node:url';

export interface AppUrlPolicy {
  /** The URL the window loads. */
  readonly entryUrl: string;
  /** Extra connect-src for the CSP (the dev server's HMR socket), if any. */
  readonly connectSources: readonly string[];
  /** True when `url` is the app's own page (query and fragment ignored). */
  isAppUrl(url: string): boolean;
}

/**
 * @param options.devServerUrl honoured only when it is an http URL on loopback; pass it only
 *   for unpackaged builds (main.ts does).
 */
export function appUrlPolicy(options: { rendererIndexPath: string; devServerUrl?: string | null }): AppUrlPolicy {
  const dev = parseDevServer(options.devServerUrl ?? null);
  if (dev !== null) {
    return {
      entryUrl: dev.href,
      connectSources: [`ws://${dev.host}`],
      isAppUrl: (url) => sameOrigin(url, dev.origin),
    };
  }
  const entry = pathToFileURL(options.rendererIndexPath).href;
  return {
    entryUrl: entry,
    connectSources: [],
    isAppUrl: (url) => {
      const parsed = safeUrl(url);
      if (parsed === null || parsed.protocol !== 'file:') return false;
      parsed.search = '';
      parsed.hash = '';
      return parsed.href === entry;
    },
  };
}

function parseDevServer(value: string | null): URL | null {
  const url = value === null ? null : safeUrl(value);
  if (url === null || url.protocol !== 'http:') return null;
  return ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname) ? url : null;
}

function sameOrigin(url: string, origin: string): boolean {
  return safeUrl(url)?.origin === origin;
}

function safeUrl(value: string): URL | null {
  try {
    return new URL(value);
  } catch {
    return null;
  }
}
