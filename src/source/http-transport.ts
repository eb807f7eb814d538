import { EnvHttpProxyAgent, interceptors, request, type Dispatcher } from 'undici';
import type { RetryEvent } from './image-source.ts';
import type { RetrySettings } from './http-retry.ts';
import type { Validator } from './http-validator.ts';

/** Everything one HTTP source shares between its requests. */
export interface HttpContext {
  /** The URL as given (requests go here; redirects are followed per request). */
  readonly url: string;
  /** The URL for messages (no credentials, no query). */
  readonly redacted: string;
  readonly location: string;
  readonly dispatcher: Dispatcher;
  readonly settings: RetrySettings;
  /** Body bytes received so far, for {@link ImageSource.transferredBytes}. */
  transferredBytes: number;
  sizeBytes: number;
  validator: Validator | null;
  readonly onRetry: ((event: RetryEvent) => void) | undefined;
}

export type HttpResponse = Dispatcher.ResponseData<null>;

const MAX_REDIRECTIONS = 5;

/**
 * The dispatcher of one source: undici's environment proxy agent (HTTP_PROXY, HTTPS_PROXY,
 * NO_PROXY, lower case too) with connect/headers/body timeouts, plus the redirect interceptor.
 * Returns the agent too, which owns the sockets and must be destroyed on close.
 */
export function createHttpDispatcher(options: { connectTimeoutMs: number; idleTimeoutMs: number }): { agent: Dispatcher; dispatcher: Dispatcher } {
  const agent = new EnvHttpProxyAgent({
    connectTimeout: options.connectTimeoutMs,
    headersTimeout: options.idleTimeoutMs,
    bodyTimeout: options.idleTimeoutMs,
  });
  const dispatcher = agent.compose(interceptors.redirect({ maxRedirections: MAX_REDIRECTIONS, throwOnMaxRedirect: true }));
  return { agent, dispatcher };
}

/** Sends one request. `identity` encoding: a compressed answer would not be the file's bytes. */
export function sendRequest(
  context: HttpContext,
  method: 'GET' | 'HEAD',
  headers: Record<string, string>,
  signal: AbortSignal | undefined,
): Promise<HttpResponse> {
  return request(context.url, {
    dispatcher: context.dispatcher,
    method,
    headers: { 'accept-encoding': 'identity', 'user-agent': 'cosiflash', ...headers },
    signal: signal ?? null,
  });
}

/** Discards an answer's body without keeping it (small error bodies keep the connection). */
export async function discardBody(response: HttpResponse, options: { keepConnection: boolean }): Promise<void> {
  if (!options.keepConnection) {
    destroyBody(response.body);
    return;
  }
  await response.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
}

/**
 * Stops a body and closes its connection. undici emits an "aborted" error on destroy; without
 * a listener that error would crash the process, so one is attached first.
 */
export function destroyBody(body: HttpResponse['body']): void {
  if (body.destroyed) return;
  body.on('error', () => undefined);
  body.destroy();
}
