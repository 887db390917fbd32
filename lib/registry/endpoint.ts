import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { DrtpError } from '../errors.js';
import type { HttpVersion } from '../contract/settings.js';

/** A registry entry of the configuration: `host:port`, a URL, or an object with credentials and TLS. */
export type RegistryEntry =
  | string
  | {
      url: string;
      username?: string;
      /** The password itself (prefer password_env). */
      password?: string;
      /** Name of the environment variable holding the password. */
      password_env?: string;
      /** PEM file of the CA that signed the registry's certificate. */
      ca?: string;
      /** Accept any certificate (self-signed test registries). */
      insecure?: boolean;
    };

export interface Credentials {
  username: string;
  password: string;
}

/** Everything needed to talk to one registry. Credentials never appear in `name`. */
export interface RegistryEndpoint {
  /** How the registry is shown in results and logs: its origin, without credentials. */
  name: string;
  /** `http(s)://host:port`. */
  origin: string;
  credentials?: Credentials;
  tls?: { ca?: string; insecure?: boolean };
  /** The HTTP version requests go out as, once a job has settled it (lib/registry/protocol.ts); default h1. */
  version?: HttpVersion;
}

/** A URL with any `user:password@` it carries hidden, for messages. */
export function withoutUserinfo(url: string): string {
  return url
    .replace(/\/\/[^/@\s]*@/, '//(credentials hidden)@')
    .replace(/^[^/@\s:]+:[^/@\s]*@/, '(credentials hidden)@');
}

/** The `user:password@` of a registry address, decoded, if it has one. */
function userinfoOf(address: string): Credentials | undefined {
  const url = /^[a-z][a-z0-9+.-]*:\/\//i.test(address) ? address : `http://${address}`;
  if (!URL.canParse(url)) return undefined;
  const parsed = new URL(url);
  if (parsed.username === '' && parsed.password === '') return undefined;
  return { username: decodeURIComponent(parsed.username), password: decodeURIComponent(parsed.password) };
}

/**
 * The origin of a registry address (`host:port` means plain HTTP, as the original player wrote it), or
 * why it is not one. The one check: `drtp validate` and every job use it.
 */
export function registryOrigin(address: string): { origin: string } | { problem: string } {
  const url = /^[a-z][a-z0-9+.-]*:\/\//i.test(address) ? address : `http://${address}`;
  const problem = { problem: `"${withoutUserinfo(address)}" is not host:port or an http(s):// URL` };
  if (!URL.canParse(url)) return problem;
  const parsed = new URL(url);
  if ((parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || parsed.hostname === '') return problem;
  if (parsed.pathname !== '/' || parsed.search !== '' || parsed.hash !== '')
    return {
      problem: `"${withoutUserinfo(address)}" has a path: give the registry's origin (host:port or http(s)://host:port)`,
    };
  return { origin: parsed.origin };
}

/**
 * Resolves a configuration entry. `host:port` means plain HTTP, as the original player wrote it.
 * Credentials: the entry's own (`username`/`password`, else the URL's `user:password@`), else
 * DRTP_REGISTRY_USERNAME and DRTP_REGISTRY_PASSWORD. The endpoint's name and origin never carry them.
 */
export function resolveEndpoint(
  entry: RegistryEntry,
  baseDir: string,
  env: NodeJS.ProcessEnv = process.env,
): RegistryEndpoint {
  const raw = typeof entry === 'string' ? { url: entry } : entry;
  const address = registryOrigin(raw.url);
  if ('problem' in address) throw new DrtpError('E_CONFIG', `registry ${address.problem}`);
  const origin = address.origin;
  const endpoint: RegistryEndpoint = { name: origin, origin };
  const inUrl = userinfoOf(raw.url);
  const username = raw.username ?? inUrl?.username ?? env.DRTP_REGISTRY_USERNAME;
  const password =
    raw.password ??
    (raw.password_env === undefined ? (inUrl?.password ?? env.DRTP_REGISTRY_PASSWORD) : env[raw.password_env]);
  if (raw.password_env !== undefined && env[raw.password_env] === undefined) {
    throw new DrtpError(
      'E_CONFIG',
      `registry ${origin}: environment variable ${raw.password_env} (password_env) is not set`,
    );
  }
  if (username !== undefined && password !== undefined) endpoint.credentials = { username, password };
  if (raw.ca !== undefined || raw.insecure !== undefined) {
    endpoint.tls = { insecure: raw.insecure ?? false };
    if (raw.ca !== undefined) {
      const path = isAbsolute(raw.ca) ? raw.ca : resolve(baseDir, raw.ca);
      try {
        endpoint.tls.ca = readFileSync(path, 'utf8');
      } catch (err) {
        throw new DrtpError('E_CONFIG', `registry ${origin}: cannot read CA file ${path}: ${(err as Error).message}`, {
          file: path,
        });
      }
    }
  }
  return endpoint;
}
