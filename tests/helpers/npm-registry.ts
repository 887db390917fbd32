import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';

interface LockedPackage {
  name?: string;
  version?: string;
  integrity?: string;
  dev?: boolean;
  link?: boolean;
  [field: string]: unknown;
}

/** The manifest fields npm's resolver reads from a registry's version document. */
const MANIFEST_FIELDS = [
  'dependencies',
  'optionalDependencies',
  'peerDependencies',
  'peerDependenciesMeta',
  'os',
  'cpu',
  'engines',
  'bin',
  'license',
];

/**
 * A read-only npm registry on loopback that knows exactly the packages of a lockfile and serves their
 * tarballs from npm's own content-addressed cache (which `npm ci` filled): `npm install` of a packed
 * drtp then resolves and installs with nothing downloaded. Unknown packages and tarballs get 404.
 */
export class LockfileRegistry {
  private readonly documents = new Map<
    string,
    { name: string; 'dist-tags': { latest: string }; versions: Record<string, unknown> }
  >();
  private readonly tarballs = new Map<string, string>();
  private readonly cacheDir: string;
  private server: Server | undefined;
  url = '';
  /** Package documents served: an install that resolved through this registry asked for some. */
  documentsServed = 0;

  constructor(lockfile: string) {
    this.cacheDir = execFileSync('npm', ['config', 'get', 'cache'], { encoding: 'utf8' }).trim();
    const lock = JSON.parse(readFileSync(lockfile, 'utf8')) as { packages: Record<string, LockedPackage> };
    for (const [path, entry] of Object.entries(lock.packages)) {
      if (path === '' || entry.link || entry.version === undefined || entry.integrity === undefined) continue;
      this.add(entry.name ?? path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length), entry);
    }
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const path = decodeURIComponent((req.url ?? '/').split('?')[0]).slice(1);
      const tarball = this.tarballs.get(path);
      if (tarball !== undefined) {
        try {
          const bytes = readFileSync(this.contentPath(tarball));
          res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.length }).end(bytes);
        } catch {
          res.writeHead(404).end(); // not in npm's cache: a package for another platform
        }
        return;
      }
      const doc = this.documents.get(path);
      if (doc === undefined) res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      else {
        this.documentsServed++;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(this.withTarballUrls(doc)));
      }
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('registry: no port');
    this.url = `http://127.0.0.1:${address.port}/`;
    return this.url;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server === undefined ? resolve() : this.server.close(() => resolve())));
  }

  private add(name: string, entry: LockedPackage): void {
    const version = entry.version!;
    const file = `${name}/-/${name.split('/').pop()}-${version}.tgz`;
    this.tarballs.set(file, entry.integrity!);
    const manifest: Record<string, unknown> = { name, version, dist: { integrity: entry.integrity, tarball: file } };
    for (const field of MANIFEST_FIELDS) if (entry[field] !== undefined) manifest[field] = entry[field];
    const doc = this.documents.get(name) ?? { name, 'dist-tags': { latest: version }, versions: {} };
    doc.versions[version] = manifest;
    this.documents.set(name, doc);
  }

  private withTarballUrls(doc: { versions: Record<string, unknown> }): unknown {
    const versions = Object.fromEntries(
      Object.entries(doc.versions).map(([v, m]) => {
        const manifest = m as { dist: { integrity: string; tarball: string } };
        return [v, { ...manifest, dist: { ...manifest.dist, tarball: `${this.url}${manifest.dist.tarball}` } }];
      }),
    );
    return { ...doc, versions };
  }

  /** Where cacache keeps content of this integrity: content-v2/<algorithm>/<hex digest split 2/2/rest>. */
  private contentPath(integrity: string): string {
    const [algorithm, base64] = integrity.split(' ')[0].split('-');
    const hex = Buffer.from(base64, 'base64').toString('hex');
    return join(this.cacheDir, '_cacache', 'content-v2', algorithm, hex.slice(0, 2), hex.slice(2, 4), hex.slice(4));
  }
}
