/**
 * Which page is "the app": the built renderer's index.html on the app's own scheme
 * (app://cosiflash/index.html, see app-protocol.ts) or, in development only, the Vite dev
 * server. IPC senders and navigations are checked against this.
 */
import { APP_ENTRY_URL, APP_ORIGIN } from './app-protocol.ts';

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
export function appUrlPolicy(options: { devServerUrl?: string | null } = {}): AppUrlPolicy {
  const dev = parseDevServer(options.devServerUrl ?? null);
  if (dev !== null) {
    return {
      entryUrl: dev.href,
      connectSources: [`ws://${dev.host}`],
      isAppUrl: (url) => sameOrigin(url, dev.origin),
    };
  }
  return {
    entryUrl: APP_ENTRY_URL,
    connectSources: [],
    isAppUrl: (url) => {
      const parsed = safeUrl(url);
      // URL.origin is 'null' for a custom scheme outside Chromium: compare scheme and host.
      return parsed !== null && `${parsed.protocol}//${parsed.host}` === APP_ORIGIN && (parsed.pathname === '/index.html' || parsed.pathname === '/');
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
