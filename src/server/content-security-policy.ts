/**
 * The Content-Security-Policy of the UI, shared by Electron (session headers) and web mode
 * (HTTP header), so both run the renderer under the same rules: only the app's own scripts
 * and styles, no eval, no inline script, no plugins, no framing, no form posts, and network
 * access only back to the app itself (plus the web-mode WebSocket).
 */
export function contentSecurityPolicy(options: { connectSources?: readonly string[] } = {}): string {
  const connect = ["'self'", ...(options.connectSources ?? [])].join(' ');
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src ${connect}`,
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
