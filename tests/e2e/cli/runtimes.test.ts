import t, { type Test } from 'tap';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { request } from 'undici';
import { readDigestMap } from '../../../lib/registry/digest-map.js';
import { SMALLEST_ARCHIVE_BYTES } from '../../../lib/registry/layer-archive.js';
import { runCli } from '../../helpers/cli.js';
import { FakeTrace, writeTrace } from '../../helpers/fake-trace.js';
import { withRegistry } from '../../helpers/registry.js';
import { withContainerd, withPodman } from '../../helpers/runtimes.js';

const exec = promisify(execFile);

interface Manifest {
  mediaType: string;
  config: { digest: string };
  layers: { mediaType: string; digest: string; size: number }[];
}

interface Image {
  ref: string;
  manifest: Manifest;
  diffIds: string[];
}

async function get(url: string, accept?: string): Promise<Buffer> {
  const res = await request(url, {
    headers: accept === undefined ? {} : { accept },
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  });
  const body = Buffer.from(await res.body.arrayBuffer());
  if (res.statusCode !== 200) throw new Error(`GET ${url}: ${res.statusCode} ${body.toString().slice(0, 200)}`);
  return body;
}

/** The number of members of a tar, read by tar-stream (which fails on a damaged archive). */
async function tarMembers(bytes: Buffer): Promise<number> {
  const extract = tar.extract();
  let members = 0;
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (_header, stream, next) => {
      members++;
      stream.on('end', next);
      stream.resume();
    });
    extract.on('finish', resolve);
    extract.on('error', reject);
  });
  Readable.from([bytes]).pipe(extract);
  await done;
  return members;
}

/** The chain IDs of a layer stack, as containerd keys its committed snapshots. */
function chainIds(diffIds: string[]): string[] {
  const chain: string[] = [];
  for (const diffId of diffIds)
    chain.push(
      chain.length === 0
        ? diffId
        : `sha256:${createHash('sha256')
            .update(`${chain[chain.length - 1]} ${diffId}`)
            .digest('hex')}`,
    );
  return chain;
}

/** Pulls every image with `pull`, failing the test for each one that does not pull; how many did. */
async function pullEach(
  t: Test,
  what: string,
  images: readonly Image[],
  pull: (ref: string) => Promise<void>,
): Promise<number> {
  let pulled = 0;
  for (const image of images) {
    try {
      await pull(image.ref);
      pulled++;
    } catch (err) {
      t.fail(`${what} ${image.ref}: ${String((err as { stderr?: string }).stderr ?? err)}`);
    }
  }
  return pulled;
}

/** The diff_id of a tar with no member: 1,024 zero bytes. */
const EMPTY_TAR = 'sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef';
const rootful = process.getuid?.() === 0;

t.test(
  "every image warmed from a trace with the real traces' tiny layers is pulled and unpacked by podman, a sample by containerd",
  { skip: rootful ? false : 'podman and containerd run rootful here: needs root' },
  async (t) => {
    const dir = t.testdir();
    const traces = join(dir, 'traces');
    const synth = await runCli([
      'synth',
      '--out',
      traces,
      '--requests',
      '1500',
      '--seed',
      '27',
      '--max-layer-size',
      '400000',
    ]);
    t.equal(synth.code, 0, synth.stderr);
    const [file] = readdirSync(traces);
    const records = JSON.parse(readFileSync(join(traces, file), 'utf8')) as Record<string, string | number>[];
    const tracedSize = new Map<string, number>();
    for (const r of records) {
      const uri = String(r['http.request.uri']);
      if (r['http.request.method'] === 'GET' && uri.includes('/blobs/') && r['http.response.status'] === 200)
        tracedSize.set(uri, Number(r['http.response.written']));
    }
    const sizes = [...tracedSize.values()];
    t.ok(
      sizes.some((s) => s === 32),
      'the trace holds the 32-byte empty layer',
    );
    t.ok(
      sizes.filter((s) => s < 130).length >= 5,
      `the trace holds layers too small for a tar with a file (${sizes.filter((s) => s < 130).length} under 130 bytes)`,
    );

    const registry = await withRegistry(t);
    writeFileSync(
      join(dir, 'config.yaml'),
      `trace:\n  location: traces\n  traces: [${file}]\nregistry: [${registry.host}]\nwarmup:\n  output: interm.json\n  manifests: image\n`,
    );
    const warm = await runCli(['warmup', join(dir, 'config.yaml')]);
    t.equal(warm.code, 0, warm.stderr + warm.stdout);
    const map = await readDigestMap(join(dir, 'interm.json'));
    const uriOf = new Map<string, string>();
    for (const [uri, digest] of map) if (typeof digest === 'string') uriOf.set(digest, uri);

    // Every manifest drtp wrote lists only valid gzip-compressed tars of the traced sizes, whose tars are the config's diff_ids.
    const images: Image[] = [];
    let tinyListed = 0;
    for (const uri of map.keys()) {
      if (!uri.includes('/manifests/')) continue;
      const [repo, reference] = uri.slice('v2/'.length).split('/manifests/');
      const manifest = JSON.parse(
        (
          await get(`${registry.url}/v2/${repo}/manifests/${reference}`, 'application/vnd.oci.image.manifest.v1+json')
        ).toString(),
      ) as Manifest;
      const config = JSON.parse(
        (await get(`${registry.url}/v2/${repo}/blobs/${manifest.config.digest}`)).toString(),
      ) as { rootfs: { diff_ids: string[] } };
      t.equal(config.rootfs.diff_ids.length, manifest.layers.length, `${uri}: a diff_id per layer`);
      for (const [i, layer] of manifest.layers.entries()) {
        const blob = await get(`${registry.url}/v2/${repo}/blobs/${layer.digest}`);
        const layerUri = uriOf.get(layer.digest) ?? '';
        if (
          layer.mediaType !== 'application/vnd.oci.image.layer.v1.tar+gzip' ||
          blob.length !== layer.size ||
          blob.length !== tracedSize.get(layerUri)
        ) {
          t.fail(
            `${uri}: layer ${layer.digest} (${layerUri}): ${layer.mediaType}, ${blob.length} bytes, traced ${tracedSize.get(layerUri)}`,
          );
          continue;
        }
        const inner = gunzipSync(blob);
        await tarMembers(inner);
        if (`sha256:${createHash('sha256').update(inner).digest('hex')}` !== config.rootfs.diff_ids[i])
          t.fail(`${uri}: layer ${i}'s tar is not its diff_id`);
        if (blob.length < 130) tinyListed++;
      }
      images.push({ ref: `${registry.host}/${repo}:${reference}`, manifest, diffIds: config.rootfs.diff_ids });
    }
    t.ok(images.length >= 20, `${images.length} images warmed`);
    t.ok(
      tinyListed > 0,
      `images list tiny layers (${tinyListed} listings under 130 bytes), down to ${SMALLEST_ARCHIVE_BYTES}`,
    );
    t.ok(
      images.filter((i) => i.manifest.layers.some((l) => l.size < 130)).length >= images.length / 5,
      'a good share of the images holds one',
    );

    // podman: every image; each layer is in its store as the blob pulled and the tar applied.
    const podman = withPodman(t);
    const pulled = await pullEach(t, 'podman pull', images, (ref) => podman.pull(ref));
    t.equal(pulled, images.length, `podman pulled ${pulled} of ${images.length} images`);
    // podman stacks a layer on its parent; it takes a layer whose diff_id it already holds on that parent
    // (every tiny layer is the empty tar) without fetching its blob; any other is the blob pulled.
    const applied = new Map(podman.layers().map((l) => [`${l.parent ?? ''} ${l.diffId}`, l]));
    const wrong: string[] = [];
    for (const image of images) {
      let parent = '';
      for (const [i, diffId] of image.diffIds.entries()) {
        const layer = applied.get(`${parent} ${diffId}`);
        const blob = image.manifest.layers[i];
        if (layer === undefined) {
          wrong.push(`${image.ref} layer ${i}: not applied`);
          break;
        }
        if (diffId !== EMPTY_TAR && (layer.blob !== blob.digest || layer.blobSize !== blob.size))
          wrong.push(`${image.ref} layer ${i}: from ${layer.blob} (${layer.blobSize} bytes)`);
        parent = layer.id;
      }
    }
    t.same(wrong, [], 'podman applied every layer of every image, each from its blob of the traced size');

    // containerd: a sample, the images holding tiny layers first; every layer is a committed snapshot.
    const containerd = await withContainerd(t);
    const sample = [...images]
      .sort(
        (a, b) => Math.min(...a.manifest.layers.map((l) => l.size)) - Math.min(...b.manifest.layers.map((l) => l.size)),
      )
      .slice(0, 15);
    const unpacked = await pullEach(t, 'ctr images pull', sample, (ref) => containerd.pull(ref));
    t.equal(unpacked, sample.length, `containerd pulled ${unpacked} of ${sample.length} images`);
    const snapshots = await containerd.snapshots();
    const unsnapshotted = sample.flatMap((image) => chainIds(image.diffIds)).filter((id) => !snapshots.has(id));
    t.same(unsnapshotted, [], 'containerd unpacked every layer of the sample into a snapshot');
  },
);

t.test(
  'examples/pull-timing.sh times podman and containerd pulling warmed images',
  { skip: rootful ? false : 'podman and containerd run rootful here: needs root' },
  async (t) => {
    const dir = t.testdir();
    const registry = await withRegistry(t);
    const trace = new FakeTrace()
      .addPull('img/a', 'c1', [32, 5000, 90_000], 0)
      .addPull('img/b', 'c2', [29, 300], 1000)
      .addPull('img/c', 'c3', [10], 2000);
    mkdirSync(join(dir, 'traces'));
    writeTrace(join(dir, 'traces'), 'prod-dal09-logstash-2017.06.20-0.json', trace.json());
    writeFileSync(
      join(dir, 'config.yaml'),
      `trace:\n  location: traces\n  traces: [prod-dal09-logstash-2017.06.20-0.json]\nregistry: [${registry.host}]\nwarmup:\n  output: interm.json\n  manifests: image\n`,
    );
    const warm = await runCli(['warmup', join(dir, 'config.yaml')]);
    t.equal(warm.code, 0, warm.stderr + warm.stdout);
    for (const runtime of ['podman', 'containerd']) {
      const { stdout } = await exec(
        'bash',
        ['examples/pull-timing.sh', '--runtime', runtime, registry.host, join(dir, 'interm.json')],
        { timeout: 120_000 },
      );
      const lines = stdout.trim().split('\n');
      t.match(
        lines[0],
        new RegExp(
          `^# ${runtime === 'podman' ? 'podman version' : 'containerd'} .*: 3 images from ${registry.host.replace(/\./g, '\\.')}$`,
        ),
        `${runtime}: the version and the images`,
      );
      // img/c's only layer is under 29 bytes: its image has no layer at all, and still pulls.
      t.same(lines.filter((l) => /^\d+ img\/[abc]:latest$/.test(l)).length, 3, `${runtime}: a time for each image`);
      t.match(
        lines[lines.length - 1],
        /^# pulled 3, failed 0; pull ms: p50 \d+, p90 \d+, max \d+, mean \d+$/,
        `${runtime}: the summary`,
      );
    }
  },
);
