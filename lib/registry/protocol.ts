import { connect, type TLSSocket } from 'node:tls';
import { isIP } from 'node:net';
import { DrtpError } from '../errors.js';
import type { RegistryEndpoint } from './endpoint.js';
import { transportError } from './errors.js';

import type { HttpVersion, ProtocolSetting } from '../contract/settings.js';

/** The HTTP version each protocol setting gives, from what the registry offered by ALPN (undefined: plain HTTP). */
export function chooseVersion(
  setting: ProtocolSetting,
  offered: 'h2' | 'http/1.1' | undefined,
  registry: string,
): HttpVersion {
  if (setting === 'h1') return 'h1';
  if (offered === 'h2') return 'h2';
  if (setting === 'auto') return 'h1';
  if (offered === undefined) {
    throw new DrtpError(
      'E_CONFIG',
      `client_info.protocol is h2, but registry ${registry} is plain HTTP: HTTP/2 needs TLS here (docker's and containerd's clients speak it only over TLS); give an https:// registry or protocol auto`,
      { path: '/client_info/protocol' },
    );
  }
  throw new DrtpError(
    'E_REGISTRY_PROTOCOL',
    `client_info.protocol is h2, but registry ${registry} did not offer h2 by ALPN (it chose http/1.1); use protocol auto or h1 for it`,
  );
}

/**
 * The HTTP version drtp speaks to `endpoint`, settled once per job as a Go client settles it per
 * connection: over TLS, a handshake that offers h2 and http/1.1 and sees which the registry picks.
 */
export async function negotiateVersion(
  endpoint: RegistryEndpoint,
  setting: ProtocolSetting,
  timeoutMs: number,
): Promise<HttpVersion> {
  const url = new URL(endpoint.origin);
  if (url.protocol !== 'https:' || setting === 'h1') return chooseVersion(setting, undefined, endpoint.name);
  const offered = await offeredByAlpn(url, endpoint, Math.min(timeoutMs, 10_000));
  return chooseVersion(setting, offered, endpoint.name);
}

/** Every endpoint with the version its requests go out as. */
export async function withVersions(
  endpoints: RegistryEndpoint[],
  setting: ProtocolSetting,
  timeoutMs: number,
): Promise<RegistryEndpoint[]> {
  return Promise.all(endpoints.map(async (e) => ({ ...e, version: await negotiateVersion(e, setting, timeoutMs) })));
}

function offeredByAlpn(url: URL, endpoint: RegistryEndpoint, timeoutMs: number): Promise<'h2' | 'http/1.1'> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve, reject) => {
    const socket: TLSSocket = connect({
      host,
      port: Number(url.port || 443),
      ...(isIP(host) === 0 ? { servername: host } : {}),
      ALPNProtocols: ['h2', 'http/1.1'],
      ...(endpoint.tls?.ca === undefined ? {} : { ca: endpoint.tls.ca }),
      rejectUnauthorized: endpoint.tls?.insecure !== true,
    });
    const fail = (err: Error & { code?: string }): void => {
      socket.destroy();
      reject(transportError(err, `TLS handshake with ${endpoint.name} (to settle its HTTP version)`));
    };
    socket.setTimeout(timeoutMs, () =>
      fail(Object.assign(new Error(`no TLS handshake within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })),
    );
    socket.once('error', fail);
    socket.once('secureConnect', () => {
      const chosen = socket.alpnProtocol;
      socket.end();
      socket.destroy();
      resolve(chosen === 'h2' ? 'h2' : 'http/1.1');
    });
  });
}
