import t from 'tap';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { layerArchive, minimumArchiveBytes } from '../../../lib/registry/layer-archive.js';

const bytesOf = (chunks: Iterable<Uint8Array>): Buffer => Buffer.concat([...chunks]);

/** The entries of a tar, read with tar-stream: name, type, size and content. */
async function entries(tarBytes: Buffer): Promise<{ name: string; type: string | null | undefined; size: number | undefined; content: Buffer }[]> {
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

t.test('a layer is a valid gzip-compressed tar of exactly the traced size, one regular file, its diff_id the tar\'s sha256', async (t) => {
  // 1559 is the smallest stored archive: 1559 + 0..7 put 0 to 7 bytes in the gzip header (comment, then extra field).
  for (const size of [0, 1, 500, 1558, 1559, 1560, 1561, 1562, 1563, 1564, 1565, 1566, 2071, 2072, 65_535, 65_600, 131_100, 1_000_000, 5_000_003]) {
    const uri = `v2/u/r/blobs/l${size}`;
    const minimum = minimumArchiveBytes(uri);
    t.ok(minimum > 20 && minimum < 200, `the smallest archive is tens of bytes: ${minimum}`);
    // 0 and 1 stand for the smallest archive of the URI and one byte more.
    const archive = layerArchive(uri, size <= 1 ? minimum + size : size);
    if (archive === null) {
      t.fail(`${size}: no archive`);
      continue;
    }
    const blob = bytesOf(archive.chunks());
    t.equal(blob.length, archive.size, `${archive.size}: the blob is exactly the traced size`);
    const inner = gunzipSync(blob); // checks the CRC and the length too
    const files = await entries(inner);
    t.equal(files.length, 1, `${size}: one entry`);
    t.equal(files[0].type, 'file', `${size}: a regular file`);
    t.equal(files[0].content.length, files[0].size);
    t.equal(archive.diffId(), `sha256:${createHash('sha256').update(inner).digest('hex')}`, `${size}: diff_id`);
  }
  t.equal(layerArchive('v2/u/r/blobs/x', minimumArchiveBytes('v2/u/r/blobs/x') - 1), null, 'below the smallest archive: none');
});

t.test('the same URI gives the same bytes, another URI others; the diff_id is known before and after streaming', async (t) => {
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
  t.ok(createHash('sha256').update(file.content).digest('hex') !== createHash('sha256').update(Buffer.alloc(file.content.length)).digest('hex'), 'with content that is not zeros');
});
