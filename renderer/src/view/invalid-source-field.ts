/**
 * Which Source-screen field an error is about, so that field can be marked aria-invalid and
 * linked (aria-describedby) to the error text: a bad or mismatching expected hash is the
 * hash field's fault; a location that cannot be used is the URL field's. Other errors
 * (a damaged image, a failing server) are not a wrong input, and mark no field.
 */
export type SourceField = 'location' | 'expectedHash';

const HASH_CODES = new Set(['E_HASH_FORMAT', 'E_HASH_MISMATCH']);
const LOCATION_CODES = new Set(['E_URL', 'E_FILE_NOT_FOUND', 'E_FILE_TYPE', 'E_HTTP_NOT_FOUND', 'E_HTTP_AUTH', 'E_HTML_PAGE', 'E_NOT_COSI', 'E_CONNECT', 'E_RELATIVE_PATH']);

export function invalidSourceField(code: string | null): SourceField | null {
  if (code === null) return null;
  if (HASH_CODES.has(code)) return 'expectedHash';
  if (LOCATION_CODES.has(code)) return 'location';
  return null;
}
