import type { Dispatcher } from 'undici';
import { DrtpError } from '../errors.js';
import type { Credentials } from './endpoint.js';
import { transportError } from './errors.js';
import { drtpUserAgent } from '../version.js';

/** A parsed `WWW-Authenticate` challenge. */
export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

export function parseChallenge(header: string | string[] | undefined): Challenge | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined) return undefined;
  const space = value.indexOf(' ');
  const scheme = (space < 0 ? value : value.slice(0, space)).toLowerCase();
  const params: Record<string, string> = {};
  const re = /([a-zA-Z_]+)="([^"]*)"/g;
  for (let m = re.exec(value); m !== null; m = re.exec(value)) params[m[1].toLowerCase()] = m[2];
  return { scheme, params };
}

interface CachedToken {
  header: string;
  expiresAt: number;
}

/**
 * HTTP Basic and the Docker token flow. Tokens are cached per scope until shortly before they expire.
 * Credentials are only ever put in Authorization headers, never in messages.
 */
export class Authenticator {
  private readonly tokens = new Map<string, CachedToken>();
  private basicRequired = false;
  private bearer: Challenge | undefined;

  constructor(
    private readonly credentials: Credentials | undefined,
    private readonly tokenDispatcher: Dispatcher,
    private readonly now: () => number = Date.now,
  ) {}

  /** The Authorization header to send for `scope`, if one is known to be needed. */
  header(scope: string): string | undefined {
    if (this.bearer !== undefined) {
      const cached = this.tokens.get(scope);
      if (cached !== undefined && cached.expiresAt > this.now()) return cached.header;
      return undefined;
    }
    return this.basicRequired ? this.basicHeader() : undefined;
  }

  /**
   * Learns from a 401 how to authenticate; true if a retry with `header(scope)` can succeed. `sent` is
   * the Authorization the refused request carried: requests sent at once before the first 401 taught
   * the authenticator all come back 401 without credentials, and each deserves its retry; a 401 to the
   * very credentials `header(scope)` gives now means they are wrong.
   */
  async onUnauthorized(
    wwwAuthenticate: string | string[] | undefined,
    scope: string,
    origin: string,
    sent: string | undefined,
  ): Promise<boolean> {
    const challenge = parseChallenge(wwwAuthenticate);
    if (challenge?.scheme === 'basic') {
      if (this.credentials === undefined)
        throw new DrtpError(
          'E_REGISTRY_HTTP',
          `${origin} requires credentials (HTTP Basic): set username and password_env in the registry entry, or DRTP_REGISTRY_USERNAME and DRTP_REGISTRY_PASSWORD`,
          { statusCode: 401 },
        );
      this.basicRequired = true;
      return sent !== this.basicHeader();
    }
    if (challenge?.scheme === 'bearer' && challenge.params.realm !== undefined) {
      const cached = this.tokens.get(scope);
      if (cached !== undefined && cached.expiresAt > this.now()) return cached.header !== sent;
      this.bearer = challenge;
      await this.fetchToken(challenge, scope);
      return true;
    }
    return false;
  }

  private basicHeader(): string {
    const { username, password } = this.credentials as Credentials;
    return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  }

  private async fetchToken(challenge: Challenge, scope: string): Promise<void> {
    const url = new URL(challenge.params.realm);
    if (challenge.params.service !== undefined) url.searchParams.set('service', challenge.params.service);
    const wanted = scope === '' ? challenge.params.scope : scope;
    if (wanted) url.searchParams.set('scope', wanted);
    const headers: Record<string, string> = { 'user-agent': drtpUserAgent() };
    if (this.credentials !== undefined) headers.authorization = this.basicHeader();
    let res: Dispatcher.ResponseData;
    try {
      res = await this.tokenDispatcher.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: 'GET',
        headers,
        headersTimeout: 10000,
        bodyTimeout: 10000,
      });
    } catch (err) {
      throw transportError(err, `token request to ${url.origin}`);
    }
    const text = await res.body.text();
    if (res.statusCode !== 200) {
      throw new DrtpError(
        'E_REGISTRY_HTTP',
        `token request to ${url.origin}${url.pathname}: HTTP ${res.statusCode}${res.statusCode === 401 ? ' (wrong credentials?)' : ''}`,
        { statusCode: res.statusCode },
      );
    }
    const body = JSON.parse(text) as { token?: string; access_token?: string; expires_in?: number };
    const token = body.token ?? body.access_token;
    if (token === undefined)
      throw new DrtpError('E_REGISTRY_HTTP', `token request to ${url.origin}${url.pathname}: no token in the answer`, {
        statusCode: 200,
      });
    // Renew 10% early so a token does not expire between the check and the request.
    const lifetime = (body.expires_in ?? 60) * 1000;
    this.tokens.set(scope, { header: `Bearer ${token}`, expiresAt: this.now() + lifetime * 0.9 });
  }
}
