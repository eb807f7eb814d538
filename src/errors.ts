import type { AppError } from './model/app-error.ts';

/**
 * Every error Cosiflash reports, with a stable code, a default title and what to do next.
 * Front ends show title/detail/hint; scripts match on the code. Add codes here, never inline.
 */
export const ERROR_CODES = {
  E_INPUT: { title: 'Invalid input', hint: 'Check the command line or the form and try again.' },
  E_HASH_FORMAT: { title: 'Expected hash is not valid', hint: 'Give the image hash as sha384:<96 hex digits> (or just the 96 hex digits).' },
  E_HASH_MISMATCH: { title: 'Image hash does not match', hint: 'The image is not the one you expected. Check the URL and the hash you were given.' },
  E_URL: { title: 'Unsupported image location', hint: 'Use an http://, https://, file:// or oci:// location, or a local path.' },
  E_FILE_NOT_FOUND: { title: 'Image file not found', hint: 'Check the path; relative paths are resolved from the current directory.' },
  E_FILE_TYPE: { title: 'The image path is not a regular file', hint: 'Give the path of a .cosi file (a regular file, or a symlink to one), not a directory, pipe, socket or device.' },
  E_FILE_READ: { title: 'Cannot read the image file', hint: 'Check the file permissions and that the file is not truncated.' },
  E_HTTP_AUTH: { title: 'The server refused access', hint: 'The URL needs credentials or a signed link; get a link you are allowed to download.' },
  E_HTTP_NOT_FOUND: { title: 'Image not found on the server', hint: 'Check the URL (HTTP 404).' },
  E_HTTP_RANGE: { title: 'The server rejected a byte range', hint: 'The file on the server may be smaller than expected or have changed (HTTP 416).' },
  E_HTTP_SERVER: { title: 'The server keeps failing', hint: 'The server answered with errors after several retries. Try again later or use another mirror.' },
  E_HTTP_STATUS: { title: 'Unexpected answer from the server', hint: 'Check the URL and the server.' },
  E_HTTP_REDIRECT: { title: 'The server redirects in a loop', hint: 'The URL redirects too often or back to itself. Use the final URL of the file directly.' },
  E_HTTP_NO_RANGES: { title: 'The server does not support byte ranges', hint: 'Cosiflash streams with range requests. Serve the file from a server that supports them (nginx, Apache, most object stores do).' },
  E_HTTP_RANGE_IGNORED: { title: 'The server answered a range request wrongly', hint: 'The server sent the wrong bytes for a range request. Use a server that implements HTTP ranges correctly.' },
  E_SOURCE_CHANGED: { title: 'The image changed while it was being read', hint: 'The file on the server was replaced during the operation. Start again once it is stable.' },
  E_TIMEOUT: { title: 'The server stopped answering', hint: 'Check the network connection and try again.' },
  E_CONNECT: { title: 'Cannot reach the server', hint: 'Check the host name, the port and the network (and proxy settings).' },
  E_OCI_NOT_FOUND: { title: 'Not found in the registry', hint: 'Check the registry, repository and tag or digest of the oci:// reference.' },
  E_OCI_DENIED: { title: 'The registry refused access', hint: 'The credentials for this registry were refused, or they do not allow pulling this repository. Log in again (docker login / oras login) or ask for access.' },
  E_OCI_NO_CREDENTIALS: { title: 'The registry needs credentials', hint: 'No credentials for this registry were found. Log in with docker login or oras login (they write ~/.docker/config.json, or DOCKER_CONFIG), then try again.' },
  E_OCI_CREDENTIAL_HELPER: { title: 'The credential helper failed', hint: 'The docker-credential-* program named in the docker config could not give credentials. Run it yourself to see why, or log in again.' },
  E_OCI_MANIFEST: { title: 'The registry entry is not a usable COSI artifact', hint: 'The reference must name an OCI image manifest, a Docker v2 schema 2 manifest or an index whose entry carries one COSI layer.' },
  E_OCI_DIGEST: { title: 'Registry content does not match its digest', hint: 'What the registry sent differs from the sha256 digest that names it: it is damaged or was tampered with. Do not use it; report it to the registry owner.' },
  E_TAR_INVALID: { title: 'The image is not a valid tar archive', hint: 'The file is damaged or truncated. Download it again.' },
  E_HTML_PAGE: { title: 'The server returned a web page, not an image', hint: 'It is probably a login, error or download page. Open the URL in a browser and copy the direct link to the .cosi file (or sign in first and use a link that needs no sign-in).' },
  E_NOT_COSI: { title: 'This is not a COSI image', hint: 'Cosiflash writes COSI images (.cosi). Check that the URL points at one.' },
  E_NO_METADATA: { title: 'The image has no metadata.json', hint: 'A COSI must contain metadata.json. The file is not a complete COSI image.' },
  E_METADATA_JSON: { title: 'metadata.json is not valid JSON', hint: 'The image is damaged or was built by a broken tool.' },
  E_METADATA_INVALID: { title: 'The image metadata is invalid', hint: 'The image breaks a rule of the COSI specification; rebuild it or report it to its publisher.' },
  E_UNSUPPORTED_VERSION: { title: 'Unsupported COSI version', hint: 'Streaming to a disk needs COSI 1.2 or newer (with the disk object).' },
  E_INSPECT_LIMIT: { title: 'Inspecting the image went over its limits', hint: 'The image made the inspection run too long or use too much memory; it is damaged or hostile. Check where it came from.' },
  E_GPT_INVALID: { title: 'The partition table in the image is invalid', hint: 'The primary-GPT region of the image is damaged or does not match metadata.json.' },
  E_IMAGE_HASH: { title: 'A region of the image is corrupt', hint: 'Its SHA-384 does not match metadata.json. Download the image again or contact its publisher.' },
  E_IMAGE_SIZE: { title: 'A region decoded to the wrong size', hint: 'The compressed data does not match metadata.json; the image is damaged.' },
  E_DECODE: { title: 'A region could not be decompressed', hint: 'The zstd data is damaged.' },
  E_WINDOW_TOO_LARGE: { title: 'Compression window too large', hint: 'The image declares a zstd window larger than 2 GiB (windowLog > 31), which cannot be decoded safely.' },
  E_DISK_NOT_FOUND: { title: 'Disk not found', hint: 'Check the device path; list disks with `cosiflash disks`.' },
  E_DISK_CHANGED: { title: 'The disk changed', hint: 'The disk you confirmed is no longer at that path (unplugged, replaced or re-attached). Nothing was written; choose the disk again.' },
  E_DISK_INELIGIBLE: { title: 'This disk cannot be written', hint: 'Pick another disk; `cosiflash disks --for <image>` explains each one.' },
  E_NO_ELIGIBLE_DISK: { title: 'No disk can take this image', hint: 'Attach a disk at least as large as the image needs, with the same sector size.' },
  E_DISK_OPEN: { title: 'Cannot open the disk for writing', hint: 'Something else is using the disk (a mounted partition, another program). Close it and try again.' },
  E_PARTITION_REREAD: { title: 'The system did not pick up the new partition table', hint: 'The disk was written, but the operating system still shows its old partitions. Unplug and reconnect the disk (or restart) before using it.' },
  E_PERMISSION: { title: 'Permission denied', hint: 'Writing a disk needs administrator rights. Run the command with sudo, or let the app ask for them.' },
  E_WRITE: { title: 'Writing to the disk failed', hint: 'The disk reported an error. It may be failing, full or disconnected; the disk has no valid partition table now.' },
  E_VERIFY: { title: 'Verification failed', hint: 'What was read back from the disk differs from the image. The disk may be failing; try another one.' },
  E_CANCELLED: { title: 'Cancelled', hint: 'The flash was cancelled; the disk has no valid partition table and must be flashed again before use.' },
  E_WRITER: { title: 'The writer process failed', hint: 'The privileged helper stopped unexpectedly. Try again; if it repeats, report a bug with the log.' },
  E_CONNECTION: { title: 'Lost the connection to Cosiflash', hint: 'Check that `cosiflash serve` is still running, then reload this page.' },
  E_CACHE: { title: 'The image cache cannot be used', hint: 'Check that the cache folder ($XDG_CACHE_HOME/cosiflash or ~/.cache/cosiflash) is a real folder you own, or run without --cache.' },
  E_CACHE_NOT_FOUND: { title: 'No such image in the cache', hint: 'List what is cached with `cosiflash cache list`; name an image by its URL, its image hash or its entry id.' },
  E_CACHE_IN_USE: { title: 'The cached image is in use', hint: 'A flash or a cache fetch is reading or filling it. Try again when it has finished.' },
  E_REMOTE_UNREACHABLE: { title: 'Cannot reach the station', hint: 'Check the --remote address (unix:/path or HOST:PORT), that `cosiflash serve --grpc` runs there, and for TLS the --tls-ca certificate.' },
  E_REMOTE_AUTH: { title: 'The station refused access', hint: 'Give the station\'s token with --token-file FILE or the COSIFLASH_TOKEN environment variable.' },
  E_REMOTE_BUSY: { title: 'The station is busy', hint: 'The disk (or every disk that could take the image) is being flashed now. Try again when it is done, or name another disk.' },
  E_REMOTE_LOST: { title: 'The connection to the station broke during the flash', hint: 'The disk may be partly written. Check the station (its flash log) and flash again.' },
  E_REMOTE: { title: 'The station could not do this', hint: 'See the detail; the station\'s own log may say more.' },
  E_FORBIDDEN: { title: 'Request refused', hint: 'Only the Cosiflash window itself may ask for this. Restart the app if you see this message.' },
  E_INTERNAL: { title: 'Internal error', hint: 'This is a bug in Cosiflash. Please report it with the details shown.' },
} as const satisfies Record<string, { readonly title: string; readonly hint: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The one error class of the core. Carries a stable code; converts to plain {@link AppError}. */
export class CosiflashError extends Error {
  readonly code: ErrorCode;
  readonly title: string;
  readonly detail: string;
  readonly hint: string;

  constructor(code: ErrorCode, detail: string, options: { title?: string; hint?: string; cause?: unknown } = {}) {
    super(`${code}: ${detail}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CosiflashError';
    this.code = code;
    this.title = options.title ?? ERROR_CODES[code].title;
    this.detail = detail;
    this.hint = options.hint ?? ERROR_CODES[code].hint;
  }

  toAppError(): AppError {
    return { code: this.code, title: this.title, detail: this.detail, hint: this.hint };
  }
}

/** Turns anything thrown into plain data; unknown errors become E_INTERNAL with their message. */
export function toAppError(error: unknown): AppError {
  if (error instanceof CosiflashError) return error.toAppError();
  if (isAbort(error)) return new CosiflashError('E_CANCELLED', 'The operation was cancelled.').toAppError();
  const message = error instanceof Error ? error.message : String(error);
  return new CosiflashError('E_INTERNAL', message).toAppError();
}

/**
 * Rebuilds a throwable {@link CosiflashError} from plain {@link AppError} data that crossed a
 * thread or process boundary. Unknown codes (a newer writer?) become E_INTERNAL, keeping the text.
 */
export function fromAppError(error: AppError): CosiflashError {
  const known = Object.hasOwn(ERROR_CODES, error.code);
  const code: ErrorCode = known ? (error.code as ErrorCode) : 'E_INTERNAL';
  const detail = known ? error.detail : `${error.code}: ${error.detail}`;
  return new CosiflashError(code, detail, { title: error.title, ...(error.hint === undefined ? {} : { hint: error.hint }) });
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || (error as { code?: unknown }).code === 'ABORT_ERR');
}
