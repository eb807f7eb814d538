/**
 * Recognising a web page where an image was expected. A URL that needs a sign-in, an expired
 * signed link or a portal's "download" page usually answers 200 with HTML; reporting that as a
 * tar problem or as "no byte ranges" sent users looking in the wrong place (issue 7 §4).
 */
import { CosiflashError } from '../errors.ts';

/** True for a Content-Type of an HTML document (`text/html; charset=…`, XHTML). */
export function isHtmlContentType(contentType: string | null): boolean {
  const type = contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
  return type === 'text/html' || type === 'application/xhtml+xml';
}

/** True when the bytes start with `<` after an optional UTF-8 BOM and whitespace (`<!DOCTYPE html>`, `<html>`, `<?xml`…). */
export function looksLikeHtml(bytes: Uint8Array): boolean {
  let at = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (at < bytes.length && (bytes[at] === 0x20 || bytes[at] === 0x09 || bytes[at] === 0x0a || bytes[at] === 0x0d)) at += 1;
  return bytes[at] === 0x3c;
}

/** E_HTML_PAGE for `location`; `why` says what gave it away. */
export function htmlPageError(location: string, options: { kind: 'file' | 'http' | 'oci'; why: string }): CosiflashError {
  const what = options.kind !== 'file' ? `The server returned a web page (HTML) for ${location}, not a COSI image` : `${location} is a web page (HTML), not a COSI image`;
  return new CosiflashError('E_HTML_PAGE', `${what} (${options.why}). It is probably a login or error page.`);
}
