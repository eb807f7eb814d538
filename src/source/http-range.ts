import { CosiflashError } from '../errors.ts';
import { statusFailure } from './http-errors.ts';
import { discardBody, sendRequest, type HttpContext, type HttpResponse } from './http-transport.ts';
import { compareValidator, headerValue, parseContentRange } from './http-validator.ts';

/**
 * Sends `GET Range: bytes=first-last` (with If-Range carrying the pinned validator) and returns
 * the body only when the answer is exactly that range of the same file: 206, a Content-Range
 * equal to the request, the same total size and validator, no content coding. Anything else is
 * a specific error, so a misbehaving server never splices wrong bytes into the stream.
 */
export async function openRange(context: HttpContext, first: number, last: number, signal: AbortSignal | undefined): Promise<HttpResponse['body']> {
  const headers: Record<string, string> = { range: `bytes=${first}-${last}` };
  if (context.validator !== null) headers['if-range'] = context.validator.value;
  const response = await sendRequest(context, 'GET', headers, signal);
  const status = response.statusCode;
  const asked = `bytes ${first}-${last}`;
  if (status === 206) {
    const rawRange = headerValue(response.headers, 'content-range');
    const contentRange = parseContentRange(rawRange);
    const problem = ((): CosiflashError | null => {
      if (contentRange === null || contentRange.first !== first || contentRange.last !== last) {
        return new CosiflashError('E_HTTP_RANGE_IGNORED', `${context.redacted} answered a request for ${asked} with "Content-Range: ${rawRange ?? '(missing)'}".`);
      }
      if (contentRange.total !== null && contentRange.total !== context.sizeBytes) {
        return changed(context, `it now has ${contentRange.total} bytes, it had ${context.sizeBytes} when reading started`);
      }
      if (compareValidator(context.validator, response.headers) === 'changed') return changedValidator(context, response);
      const encoding = headerValue(response.headers, 'content-encoding');
      if (encoding !== null && encoding.trim().toLowerCase() !== 'identity') {
        return new CosiflashError('E_HTTP_RANGE_IGNORED', `${context.redacted} sent ${asked} compressed ("Content-Encoding: ${encoding}") although identity was asked for.`);
      }
      return null;
    })();
    if (problem !== null) {
      await discardBody(response, { keepConnection: false });
      throw problem;
    }
    return response.body;
  }
  if (status === 200) {
    // Never read the whole file that follows: close the connection at once.
    await discardBody(response, { keepConnection: false });
    if (context.validator !== null && compareValidator(context.validator, response.headers) !== 'same') throw changedValidator(context, response);
    throw new CosiflashError('E_HTTP_RANGE_IGNORED', `${context.redacted} answered a request for ${asked} with the whole file (HTTP 200) instead of the range (HTTP 206).`);
  }
  await discardBody(response, { keepConnection: true });
  if (status === 416) {
    const total = parseContentRange(headerValue(response.headers, 'content-range'))?.total ?? null;
    if (total !== null && total !== context.sizeBytes) throw changed(context, `it now has ${total} bytes, it had ${context.sizeBytes} when reading started`);
    throw new CosiflashError('E_HTTP_RANGE', `${context.redacted} refused ${asked} (HTTP 416 Range Not Satisfiable) although the file has ${context.sizeBytes} bytes.`);
  }
  throw statusFailure(status, context.redacted);
}

function changedValidator(context: HttpContext, response: HttpResponse): CosiflashError {
  const pinned = context.validator;
  if (pinned === null) return changed(context, 'the server no longer identifies it the same way');
  const name = pinned.kind === 'etag' ? 'ETag' : 'Last-Modified';
  const now = headerValue(response.headers, pinned.kind);
  return changed(context, `its ${name} was ${pinned.value} and is now ${now ?? '(missing)'}`);
}

function changed(context: HttpContext, why: string): CosiflashError {
  return new CosiflashError('E_SOURCE_CHANGED', `The file at ${context.redacted} was replaced while it was being read: ${why}.`);
}
