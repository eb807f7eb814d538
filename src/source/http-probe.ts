import { CosiflashError } from '../errors.ts';
import { htmlPageError, isHtmlContentType, looksLikeHtml } from './html-page.ts';
import { destroyBody, discardBody, sendRequest, type HttpContext, type HttpResponse } from './http-transport.ts';
import { statusFailure } from './http-errors.ts';
import { RetryState } from './http-retry.ts';
import { acceptsByteRanges, compareValidator, headerValue, parseContentRange, validatorOf, type Validator } from './http-validator.ts';

export interface ProbeResult {
  sizeBytes: number;
  validator: Validator | null;
}

/** HEAD answers that mean "ask with GET instead" (S3 signed GET links answer HEAD with 403). */
const HEAD_REFUSED = new Set([400, 403, 405, 501]);

/**
 * Learns the size and validator of the file behind `context.url` and makes sure the server
 * serves byte ranges: one HEAD (Content-Length, Accept-Ranges, ETag/Last-Modified), falling
 * back to `GET Range: bytes=0-0` when HEAD is refused or inconclusive. Transient failures are
 * retried like body reads.
 */
export async function probeHttp(context: HttpContext, signal: AbortSignal | undefined): Promise<ProbeResult> {
  const retry = new RetryState(context.settings, { url: context.redacted, location: context.location, opened: false });
  for (;;) {
    try {
      return await probeOnce(context, signal);
    } catch (error) {
      await retry.afterFailure(error, { offsetBytes: 0, signal, onRetry: context.onRetry });
    }
  }
}

async function probeOnce(context: HttpContext, signal: AbortSignal | undefined): Promise<ProbeResult> {
  const head = await sendRequest(context, 'HEAD', {}, signal);
  await discardBody(head, { keepConnection: true });
  const status = head.statusCode;
  if (status >= 200 && status < 300) {
    // A web page: let one ranged GET decide (and name it), whatever HEAD says about ranges.
    if (isHtmlContentType(headerValue(head.headers, 'content-type'))) return probeWithRange(context, signal, null);
    const acceptRanges = headerValue(head.headers, 'accept-ranges');
    if (acceptRanges?.trim().toLowerCase() === 'none') throw noRanges(context, 'it announces "Accept-Ranges: none"');
    const length = headerValue(head.headers, 'content-length');
    if (length === null || !/^\d+$/.test(length.trim())) return probeWithRange(context, signal, null);
    const fromHead = { sizeBytes: Number(length), validator: validatorOf(head.headers) };
    if (acceptsByteRanges(acceptRanges)) return fromHead;
    // Ranges not announced: one byte proves whether they work before anything relies on them.
    return probeWithRange(context, signal, fromHead);
  }
  if (HEAD_REFUSED.has(status)) return probeWithRange(context, signal, null);
  throw statusFailure(status, context.redacted);
}

async function probeWithRange(context: HttpContext, signal: AbortSignal | undefined, fromHead: ProbeResult | null): Promise<ProbeResult> {
  const response = await sendRequest(context, 'GET', { range: 'bytes=0-0' }, signal);
  const status = response.statusCode;
  const rawRange = headerValue(response.headers, 'content-range');
  const contentRange = parseContentRange(rawRange);
  if (status === 206) {
    if (contentRange === null || contentRange.first !== 0 || contentRange.last !== 0) {
      await discardBody(response, { keepConnection: false });
      throw new CosiflashError('E_HTTP_RANGE_IGNORED', `${context.redacted} answered a request for byte 0 with "Content-Range: ${rawRange ?? '(missing)'}".`);
    }
    if (contentRange.total === null) {
      await discardBody(response, { keepConnection: false });
      throw new CosiflashError('E_HTTP_RANGE_IGNORED', `${context.redacted} does not say how large the file is ("Content-Range: ${rawRange}").`);
    }
    const body = Buffer.from(await response.body.arrayBuffer());
    context.transferredBytes += body.length;
    if (looksLikeHtml(body) && isHtmlContentType(headerValue(response.headers, 'content-type'))) {
      throw htmlPageError(context.redacted, { kind: 'http', why: 'Content-Type text/html, starting with "<"' });
    }
    if (fromHead !== null && fromHead.sizeBytes !== contentRange.total) {
      throw changed(context, `HEAD said ${fromHead.sizeBytes} bytes, a GET right after says ${contentRange.total}`);
    }
    if (fromHead?.validator && compareValidator(fromHead.validator, response.headers) === 'changed') {
      throw changed(context, `its ${fromHead.validator.kind === 'etag' ? 'ETag' : 'Last-Modified'} changed between HEAD and GET`);
    }
    return { sizeBytes: contentRange.total, validator: fromHead?.validator ?? validatorOf(response.headers) };
  }
  if (status === 200) {
    // A login or error page usually ignores ranges: say "web page" before "no ranges".
    const first = await firstBodyChunk(response);
    context.transferredBytes += first.length;
    const contentType = headerValue(response.headers, 'content-type');
    if (isHtmlContentType(contentType) || looksLikeHtml(first)) {
      throw htmlPageError(context.redacted, { kind: 'http', why: isHtmlContentType(contentType) ? `Content-Type ${contentType}` : 'it starts with "<"' });
    }
    if (acceptsByteRanges(headerValue(response.headers, 'accept-ranges'))) {
      throw new CosiflashError('E_HTTP_RANGE_IGNORED', `${context.redacted} announces byte ranges but answered a request for one byte with the whole file (HTTP 200).`);
    }
    throw noRanges(context, 'it answers range requests with the whole file (HTTP 200)');
  }
  await discardBody(response, { keepConnection: true });
  // An empty file has no byte 0: 416 with "bytes */0".
  if (status === 416 && contentRange?.total === 0) return { sizeBytes: 0, validator: validatorOf(response.headers) };
  throw statusFailure(status, context.redacted);
}

/** The first chunk of a body (empty when there is none); the rest is not downloaded and the connection is closed. */
async function firstBodyChunk(response: HttpResponse): Promise<Buffer> {
  let first: Buffer = Buffer.alloc(0);
  try {
    for await (const chunk of response.body) {
      first = Buffer.from(chunk as Uint8Array);
      break;
    }
  } catch {
    // A body that fails at once tells nothing; the status decides.
  } finally {
    destroyBody(response.body);
  }
  return first;
}

function noRanges(context: HttpContext, why: string): CosiflashError {
  return new CosiflashError('E_HTTP_NO_RANGES', `${context.redacted} cannot serve parts of the file: ${why}.`);
}

function changed(context: HttpContext, why: string): CosiflashError {
  return new CosiflashError('E_SOURCE_CHANGED', `The file at ${context.redacted} changed while it was being opened: ${why}.`);
}
