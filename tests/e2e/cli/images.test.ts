import t from 'tap';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { request } from 'undici';
import { layerArchive } from '../../../lib/registry/layer-archive.js';
import { FakeTrace, writeTrace } from '../../helpers/fake-trace.js';
import { runCli } from '../../helpers/cli.js';
import { withRegistry } from '../../helpers/registry.js';

const run = promisify(execFile);

/** The files of a layer as drtp generates it: name -> content. */
async function filesOf(uri: string, size: number): Promise<Map<string, Buffer>> {
  const archive = layerArchive(uri, size);
  if (archive === null) throw new Error(`${uri}: no archive`);
  const files = new Map<string, Buffer>();
  const extract = tar.extract();
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (header, stream, next) => {
      const parts: Buffer[] = [];
      stream.on('data', (c: unknown) => parts.push(c as Buffer));
      stream.on('end', () => {
        files.set(header.name, Buffer.concat(parts));
        next();
      });
    });
    extract.on('finish', resolve);
    extract.on('error', reject);
  });
  Readable.from([gunzipSync(Buffer.concat([...archive.chunks()]))]).pipe(extract);
  await done;
  return files;
}

t.test(
  'warmed images are pulled by skopeo and unpacked by umoci: layers of the traced sizes, files as generated',
  async (t) => {
    const dir = t.testdir();
    const registry = await withRegistry(t);
    // Layers of every kind of size: under a stored block's 64 KiB, over it, and a deflated small one.
    const sizes = [900, 3000, 70_000, 250_000];
    const trace = new FakeTrace()
      .addPull('img/app', 'c1', sizes, 0)
      .addPull('img/app', 'c2', sizes, 5000)
      .addPull('img/tiny', 'c1', [20, 40], 9000);
    mkdirSync(join(dir, 'traces'));
    writeTrace(join(dir, 'traces'), 'prod-dal09-logstash-2017.06.20-0.json', trace.json());
    writeFileSync(
      join(dir, 'config.yaml'),
      `trace:\n  location: traces\n  traces: [prod-dal09-logstash-2017.06.20-0.json]\nregistry: [${registry.host}]\nwarmup:\n  output: interm.json\n  manifests: image\n`,
    );
    const warm = await runCli(['warmup', join(dir, 'config.yaml')]);
    t.equal(warm.code, 0, warm.stderr + warm.stdout);
    t.match(
      warm.stdout,
      /warmup: 1 layers under 29 bytes, too small for any gzip-compressed tar, pushed as plain content and left out of the image manifests/,
      'the 20-byte layer is counted',
    );
    const tinyManifest = await request(`${registry.url}/v2/img/tiny/manifests/latest`, {
      headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
    });
    const tiny = (await tinyManifest.body.json()) as { layers: { size: number; mediaType: string }[] };
    t.same(
      tiny.layers.map((l) => [l.size, l.mediaType]),
      [[40, 'application/vnd.oci.image.layer.v1.tar+gzip']],
      'the 20-byte layer is left out of its image, the 40-byte one is an archive',
    );
    const plain = await request(
      `${registry.url}/v2/img/tiny/blobs/${(JSON.parse(readFileSync(join(dir, 'interm.json'), 'utf8')) as Record<string, string>)['v2/img/tiny/blobs/l0imgtiny']}`,
    );
    t.equal(
      (await plain.body.arrayBuffer()).byteLength,
      20,
      'the 20-byte layer is still pushed, as plain content of its size',
    );

    const layout = join(dir, 'layout');
    const policy = join(dir, 'policy.json');
    writeFileSync(policy, JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));
    await run(
      'skopeo',
      [
        '--policy',
        policy,
        'copy',
        '--src-tls-verify=false',
        `docker://${registry.host}/img/app:latest`,
        `oci:${layout}:latest`,
      ],
      { timeout: 60_000 },
    );
    const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
    const manifest = JSON.parse(
      readFileSync(join(layout, 'blobs/sha256', index.manifests[0].digest.slice(7)), 'utf8'),
    ) as { config: { digest: string }; layers: { mediaType: string; digest: string; size: number }[] };
    t.same(
      manifest.layers.map((l) => l.mediaType),
      sizes.map(() => 'application/vnd.oci.image.layer.v1.tar+gzip'),
    );
    t.same(
      manifest.layers.map((l) => statSync(join(layout, 'blobs/sha256', l.digest.slice(7))).size),
      sizes,
      'each layer blob is the traced size, to the byte',
    );
    const config = JSON.parse(readFileSync(join(layout, 'blobs/sha256', manifest.config.digest.slice(7)), 'utf8')) as {
      architecture: string;
      os: string;
      rootfs: { type: string; diff_ids: string[] };
      history: unknown[];
    };
    t.same([config.architecture, config.os, config.rootfs.type], ['amd64', 'linux', 'layers']);
    const uris = sizes.map((_, i) => `v2/img/app/blobs/l${i}imgapp`);
    t.same(
      config.rootfs.diff_ids,
      uris.map((uri, i) => layerArchive(uri, sizes[i])?.diffId()),
      'diff_ids: the sha256 of each tar',
    );
    t.equal(config.history.length, sizes.length);

    const bundle = join(dir, 'bundle');
    await run('umoci', ['unpack', '--rootless', '--image', `${layout}:latest`, bundle], { timeout: 60_000 });
    const rootfs = join(bundle, 'rootfs');
    const unpacked = readdirSync(join(rootfs, 'layer')).sort();
    const expected = new Map<string, Buffer>();
    for (const [i, uri] of uris.entries())
      for (const [name, content] of await filesOf(uri, sizes[i])) expected.set(name, content);
    t.same(unpacked, [...expected.keys()].map((name) => name.slice('layer/'.length)).sort(), 'a file per layer');
    for (const [name, content] of expected)
      t.ok(readFileSync(join(rootfs, name)).equals(content), `${name}: the generated bytes`);
  },
);
