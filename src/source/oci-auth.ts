import { request, type Dispatcher } from 'undici';
import { CosiflashError } from '../errors.ts';
import { dockerCredentialsFor, type DockerConfigAnswer, type DockerConfigOptions, type RegistryCredentials } from './docker-config.ts';
import type { RequestAuthorizer } from './http-transport.ts';
import type { OciReference } from './oci-reference.ts';
import { parseWwwAuthenticate, type AuthChallenge } from './www-authenticate.ts';

const MAX_TOKEN_ANSWER_BYTES = 1024 * 1024;

export interface OciAuthOptions {
  readonly dispatcher: Dispatcher;
  /** Where credentials come from (docker config, helpers); tests point it elsewhere. */
  readonly dockerConfig?: DockerConfigOptions;
}

/**
 * The credentials of one registry for one repository, as a {@link RequestAuthorizer}: nothing
 * is sent until the registry answers 401. Then its WWW-Authenticate challenge decides:
 * `Basic` sends the docker-config credentials; `Bearer` asks the named token service for a
 * pull token (with the credentials when there are some, anonymously otherwise; an identity
 * token is exchanged with grant_type=refresh_token). A token that expires during a long
 * download gets the next 401 and is fetched again, transparently.
 */
export class OciAuth implements RequestAuthorizer {
  readonly #reference: OciReference;
  readonly #options: OciAuthOptions;
  #header: string | null = null;
  #lookup: Promise<DockerConfigAnswer> | null = null;
  #usedCredentials: RegistryCredentials | null = null;
  #lastScheme: string | null = null;

  constructor(reference: OciReference, options: OciAuthOptions) {
    this.#reference = reference;
    this.#options = options;
  }

  header(): string | null {
    return this.#header;
  }

  /** Where the credentials in use came from, or null for anonymous access. */
  get credentialsFrom(): string | null {
    return this.#usedCredentials?.from ?? null;
  }

  async renew(challengeText: string | null, signal: AbortSignal | undefined): Promise<void> {
    const challenges = parseWwwAuthenticate(challengeText);
    const challenge = challenges.find((c) => c.scheme === 'bearer') ?? challenges.find((c) => c.scheme === 'basic');
    const registry = this.#reference.registry;
    if (challenge === undefined) {
      throw new CosiflashError('E_OCI_DENIED', `The registry ${registry} answered 401 without a Bearer or Basic challenge (WWW-Authenticate: ${challengeText ?? '(missing)'}).`);
    }
    const answer = await this.#credentials();
    const credentials = answer.credentials;
    if (challenge.scheme === 'basic') {
      if (credentials === null || credentials.kind !== 'basic') throw this.#noCredentials(answer, credentials === null ? '' : ' (only an identity token, which needs a token service)');
      const header = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
      if (this.#header === header) throw this.denied(401);
      this.#header = header;
      this.#usedCredentials = credentials;
      this.#lastScheme = 'basic';
      return;
    }
    this.#header = `Bearer ${await this.#fetchToken(challenge, credentials, answer, signal)}`;
    this.#usedCredentials = credentials;
    this.#lastScheme = 'bearer';
  }

  denied(status: number): Error {
    const where = `${this.#reference.registry}/${this.#reference.repository}`;
    if (this.#usedCredentials === null && this.#lastScheme === 'bearer') {
      return new CosiflashError('E_OCI_NO_CREDENTIALS', `The registry ${this.#reference.registry} does not allow anonymous pulls of ${this.#reference.repository} (HTTP ${status} with an anonymous token), and no credentials for ${this.#reference.registry} were found.`);
    }
    return new CosiflashError('E_OCI_DENIED', `The registry refused access to ${where} (HTTP ${status}) with the credentials from ${this.#usedCredentials?.from ?? 'nowhere'}.`);
  }

  #credentials(): Promise<DockerConfigAnswer> {
    this.#lookup ??= dockerCredentialsFor(this.#reference.registry, this.#options.dockerConfig ?? {});
    return this.#lookup;
  }

  #noCredentials(answer: DockerConfigAnswer, why: string): CosiflashError {
    const notes = answer.notes.length === 0 ? '' : ` ${answer.notes.join('; ')}.`;
    return new CosiflashError('E_OCI_NO_CREDENTIALS', `The registry ${this.#reference.registry} wants credentials and none were found for it in ${answer.configPath}${why}.${notes}`);
  }

  async #fetchToken(challenge: AuthChallenge, credentials: RegistryCredentials | null, answer: DockerConfigAnswer, signal: AbortSignal | undefined): Promise<string> {
    const registry = this.#reference.registry;
    const realmText = challenge.params['realm'];
    let realm: URL;
    try {
      realm = new URL(realmText ?? '');
    } catch {
      throw new CosiflashError('E_OCI_DENIED', `The registry ${registry} named a token service that is not a URL (realm "${realmText ?? ''}").`);
    }
    const loopbackRealm = ['127.0.0.1', 'localhost', '[::1]'].includes(realm.hostname) || realm.hostname.startsWith('127.');
    if (realm.protocol !== 'https:' && !(realm.protocol === 'http:' && loopbackRealm)) {
      throw new CosiflashError('E_OCI_DENIED', `The registry ${registry} sends clients to a token service over ${realm.protocol.replace(':', '')} (${realm.origin}); Cosiflash asks for tokens over HTTPS only (plain HTTP only on this machine).`);
    }
    const scope = challenge.params['scope'] ?? `repository:${this.#reference.repository}:pull`;
    const service = challenge.params['service'];
    const label = `the token service ${realm.origin}${realm.pathname}`;
    let response: Dispatcher.ResponseData;
    const common = { dispatcher: this.#options.dispatcher, signal: signal ?? null };
    if (credentials?.kind === 'identity-token') {
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: credentials.token, client_id: 'cosiflash', scope });
      if (service !== undefined) form.set('service', service);
      response = await request(realm, { ...common, method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'cosiflash' }, body: form.toString() });
    } else {
      const url = new URL(realm);
      if (service !== undefined) url.searchParams.set('service', service);
      url.searchParams.set('scope', scope);
      const headers: Record<string, string> = { 'user-agent': 'cosiflash' };
      if (credentials !== null) headers['authorization'] = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
      response = await request(url, { ...common, method: 'GET', headers });
    }
    const body = await limitedText(response);
    if (response.statusCode === 401 || response.statusCode === 403) {
      if (credentials === null) throw this.#noCredentials(answer, '');
      throw new CosiflashError('E_OCI_DENIED', `${label} refused the credentials from ${credentials.from} for ${this.#reference.repository} (HTTP ${response.statusCode}).`);
    }
    if (response.statusCode !== 200) {
      throw new CosiflashError('E_OCI_DENIED', `${label} answered HTTP ${response.statusCode} when asked for a pull token for ${this.#reference.repository}.`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      throw new CosiflashError('E_OCI_DENIED', `${label} answered with something that is not JSON.`);
    }
    const { token, access_token: accessToken } = (parsed ?? {}) as { token?: unknown; access_token?: unknown };
    const value = typeof token === 'string' && token !== '' ? token : typeof accessToken === 'string' && accessToken !== '' ? accessToken : null;
    if (value === null) throw new CosiflashError('E_OCI_DENIED', `${label} answered without a token.`);
    return value;
  }
}

async function limitedText(response: Dispatcher.ResponseData): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of response.body) {
    const buffer = Buffer.from(chunk as Uint8Array);
    total += buffer.length;
    if (total > MAX_TOKEN_ANSWER_BYTES) {
      response.body.destroy();
      throw new CosiflashError('E_OCI_DENIED', 'The token service answered with more than 1 MiB.');
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
