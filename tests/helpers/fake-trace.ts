import { createWriteStream, writeFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { join } from 'node:path';
import { createGzip, gzipSync } from 'node:zlib';

/** One IBM-format record, as the published files hold them. */
export interface TraceRecord {
  host?: string;
  'http.request.duration'?: number;
  'http.request.method'?: string;
  'http.request.remoteaddr'?: string;
  'http.request.uri'?: string;
  'http.request.useragent'?: string;
  'http.response.status'?: number;
  'http.response.written'?: number;
  id?: string;
  timestamp?: string;
}

const T0 = Date.parse('2017-07-01T00:00:00.000Z');

/** Builds small IBM-format traces in tests: `addPull('repo', client, sizes, t)` rather than literal JSON. */
export class FakeTrace {
  readonly records: TraceRecord[] = [];
  private n = 0;

  add(
    method: string,
    uri: string,
    opts: { client?: string; size?: number; atMs?: number; status?: number; duration?: number } = {},
  ): this {
    this.records.push({
      host: 'b372b8a0',
      'http.request.duration': opts.duration ?? 0.25,
      'http.request.method': method,
      'http.request.remoteaddr': opts.client ?? 'c0000001',
      'http.request.uri': uri,
      'http.request.useragent': 'docker/17.06.0-ce go/go1.8.3',
      'http.response.status': opts.status ?? (method === 'PUT' ? 201 : 200),
      'http.response.written': opts.size ?? 1000,
      id: (this.n++).toString(16).padStart(10, '0'),
      timestamp: new Date(T0 + (opts.atMs ?? 0)).toISOString(),
    });
    return this;
  }

  /** A manifest GET at `atMs`, then one GET per layer 100 ms apart. */
  addPull(repo: string, client: string, layerSizes: number[], atMs: number): this {
    this.add('GET', `v2/${repo}/manifests/latest`, { client, size: 500 + 200 * layerSizes.length, atMs });
    layerSizes.forEach((size, i) =>
      this.add('GET', `v2/${repo}/blobs/l${i}${repo.replace(/\//g, '')}`, { client, size, atMs: atMs + 100 * (i + 1) }),
    );
    return this;
  }

  /** HEAD + PUT per layer, then the manifest PUT. */
  addPush(repo: string, client: string, layerSizes: number[], atMs: number): this {
    layerSizes.forEach((size, i) => {
      this.add('HEAD', `v2/${repo}/blobs/p${i}`, { client, size: 157, status: 404, atMs: atMs + 20 * i });
      this.add('PUT', `v2/${repo}/blobs/p${i}`, { client, size, atMs: atMs + 20 * i + 10 });
    });
    this.add('PUT', `v2/${repo}/manifests/v1`, { client, size: 700, atMs: atMs + 20 * layerSizes.length });
    return this;
  }

  json(): string {
    return `[\n${this.records.map((r) => `  ${JSON.stringify(r)}`).join(',\n')}\n]\n`;
  }

  ndjson(): string {
    return this.records.map((r) => JSON.stringify(r)).join('\n') + '\n';
  }
}

export function writeTrace(dir: string, name: string, text: string, gzip = false): string {
  const path = join(dir, name);
  writeFileSync(path, gzip ? gzipSync(text) : text);
  return path;
}

/** Gzips `head`, then `fill` repeated `times` times, then `tail`, into `path`, streaming. */
export async function gzipFile(path: string, head: string, fill: Buffer, times: number, tail: string): Promise<void> {
  async function* parts(): AsyncGenerator<Buffer> {
    yield Buffer.from(head);
    for (let i = 0; i < times; i++) yield fill;
    yield Buffer.from(tail);
  }
  await pipeline(Readable.from(parts()), createGzip({ level: 1 }), createWriteStream(path));
}
