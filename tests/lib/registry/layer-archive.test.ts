import t from 'tap';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { SMALLEST_ARCHIVE_BYTES, layerArchive } from '../../../lib/registry/layer-archive.js';

const bytesOf = (chunks: Iterable<Uint8Array>): Buffer => Buffer.concat([...chunks]);

/** The entries of a tar, read with tar-stream: name, type, size and content. */
async function entries(
  tarBytes: Buffer,
): Promise<{ name: string; type: string | null | undefined; size: number | undefined; content: Buffer }[]> {
  const extract = tar.extract();
  const out: { name: string; type: string | null | undefined; size: number | undefined; content: Buffer }[] = [];
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (header, stream, next) => {
      const parts: Buffer[] = [];
      stream.on('data', (c: unknown) => parts.push(c as Buffer));
      stream.on('end', () => {
        out.push({ name: header.name, type: header.type, size: header.size, content: Buffer.concat(parts) });
        next();
      });
    });
    extract.on('finish', resolve);
    extract.on('error', reject);
  });
  Readable.from([tarBytes]).pipe(extract);
  await done;
  return out;
}

t.test("a layer is a valid gzip-compressed tar of exactly the traced size, its diff_id the tar's sha256", async (t) => {
  // 29 to ~130: the empty tar, its header grown by a comment (1-5 bytes) or an extra field; to 1558 a
  // deflated 32-byte file; 1559 is the smallest stored archive, and 1559 + 0..7 put 0 to 7 bytes in the header.
  const sizes = [29, 30, 31, 32, 33, 34, 35, 36, 40, 64, 100, 128, 129, 130, 131, 132, 133, 134, 135, 140, 500, 1558];
  sizes.push(1559, 1560, 1561, 1562, 1563, 1564, 1565, 1566, 2071, 2072, 65_535, 65_600, 131_100, 1_000_000, 5_000_003);
  const kinds = new Set<number>();
  for (const size of sizes) {
    const uri = `v2/u/r/blobs/l${size}`;
    const archive = layerArchive(uri, size);
    if (archive === null) {
      t.fail(`${size}: no archive`);
      continue;
    }
    const blob = bytesOf(archive.chunks());
    t.equal(blob.length, size, `${size}: the blob is exactly the traced size`);
    const inner = gunzipSync(blob); // checks the CRC and the length too
    const files = await entries(inner);
    kinds.add(files.length);
    t.ok(files.length <= 1, `${size}: at most one entry`);
    for (const file of files) {
      t.equal(file.type, 'file', `${size}: a regular file`);
      t.equal(file.content.length, file.size);
    }
    if (files.length === 0)
      t.ok(inner.equals(Buffer.alloc(1024)), `${size}: no member, the tar is its end-of-archive blocks`);
    t.equal(archive.diffId(), `sha256:${createHash('sha256').update(inner).digest('hex')}`, `${size}: diff_id`);
  }
  t.same([...kinds].sort(), [0, 1], 'both the empty tar and the one-file tar were met');
});

t.test('the smallest layer is 29 bytes, the empty tar; below that there is none', async (t) => {
  t.equal(SMALLEST_ARCHIVE_BYTES, 29);
  t.equal(layerArchive('v2/u/r/blobs/x', SMALLEST_ARCHIVE_BYTES - 1), null, '28 bytes: no archive');
  t.equal(layerArchive('v2/u/r/blobs/x', 1), null);
  // Docker's own empty layer a3ed95ca... holds the same tar: its diff_id is the same.
  t.equal(
    layerArchive('v2/u/r/blobs/x', 32)?.diffId(),
    'sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef',
  );
});

t.test('tiny layers of one size are a blob of their own per URI, the same on every run', async (t) => {
  for (const size of [29, 31, 40, 120]) {
    const blobs = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const archive = layerArchive(`v2/u/r/blobs/tiny${i}`, size);
      if (archive === null) throw new Error('no archive');
      blobs.add(bytesOf(archive.chunks()).toString('hex'));
    }
    t.equal(blobs.size, 200, `${size} bytes: 200 URIs, 200 blobs`);
    const again = layerArchive('v2/u/r/blobs/tiny0', size);
    t.ok(
      again !== null && blobs.has(bytesOf(again.chunks()).toString('hex')),
      `${size} bytes: the same URI, the same blob`,
    );
  }
});

t.test(
  'the same URI gives the same bytes, another URI others; the diff_id is known before and after streaming',
  async (t) => {
    const a = layerArchive('v2/u/r/blobs/a', 300_000);
    const again = layerArchive('v2/u/r/blobs/a', 300_000);
    const b = layerArchive('v2/u/r/blobs/b', 300_000);
    if (a === null || again === null || b === null) {
      t.fail('no archive');
      return;
    }
    const before = a.diffId();
    const bytes = bytesOf(a.chunks());
    t.ok(bytes.equals(bytesOf(again.chunks())), 'same URI, same bytes');
    t.notOk(bytes.equals(bytesOf(b.chunks())), 'other URI, other bytes');
    t.equal(a.diffId(), before, 'diff_id from a pass of its own equals the one streaming computed');
    const [file] = await entries(gunzipSync(bytes));
    t.ok(file.content.length > 290_000, 'the file fills the layer');
    t.ok(
      createHash('sha256').update(file.content).digest('hex') !==
        createHash('sha256').update(Buffer.alloc(file.content.length)).digest('hex'),
      'with content that is not zeros',
    );
  },
);
