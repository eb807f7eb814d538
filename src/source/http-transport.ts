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
  /** Adds credentials to every request and renews them on 401 (OCI registries); none for plain URLs. */
  readonly authorizer?: RequestAuthorizer;
}

/**
 * Credentials of one source. {@link sendRequest} sends {@link header} with each request; on
 * 401 it calls {@link renew} once (a bearer token that expired mid-download is fetched again)
 * and repeats the request; a second 401 is {@link denied}.
 */
export interface RequestAuthorizer {
  /** The Authorization value for the next request, or null (anonymous). */
  header(): string | null;
  /** Answers a 401's WWW-Authenticate: gets new credentials, or throws the specific error why not. */
  renew(challenge: string | null, signal: AbortSignal | undefined): Promise<void>;
  /** The error for a request that is refused again with fresh credentials. */
  denied(status: number): Error;
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

/**
 * Sends one request. `identity` encoding: a compressed answer would not be the file's bytes.
 * With an {@link RequestAuthorizer}, a 401 renews the credentials once and sends it again
 * (redirects to another origin never carry them: undici's redirect interceptor drops the
 * Authorization header there, and keeps Range).
 */
export async function sendRequest(
  context: HttpContext,
  method: 'GET' | 'HEAD',
  headers: Record<string, string>,
  signal: AbortSignal | undefined,
): Promise<HttpResponse> {
  const { authorizer } = context;
  const send = (): Promise<HttpResponse> => {
    const authorization = authorizer?.header() ?? null;
    return request(context.url, {
      dispatcher: context.dispatcher,
      method,
      headers: { 'accept-encoding': 'identity', 'user-agent': 'cosiflash', ...headers, ...(authorization === null ? {} : { authorization }) },
      signal: signal ?? null,
    });
  };
  const first = await send();
  if (first.statusCode !== 401 || authorizer === undefined) return first;
  await discardBody(first, { keepConnection: true });
  await authorizer.renew(headerText(first.headers['www-authenticate']), signal);
  const second = await send();
  if (second.statusCode !== 401) return second;
  await discardBody(second, { keepConnection: true });
  throw authorizer.denied(second.statusCode);
}

function headerText(value: string | string[] | undefined): string | null {
  if (Array.isArray(value)) return value.join(', ');
  return value ?? null;
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
