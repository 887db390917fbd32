import t, { type Test } from 'tap';
import { Method } from '../../../lib/trace/request.js';
import { selectRequests } from '../../../lib/trace/select.js';
import { loadTrace } from '../../../lib/trace/load.js';
import { FakeTrace, writeTrace } from '../../helpers/fake-trace.js';

async function tableOf(t: Test, trace: FakeTrace) {
  return (await loadTrace([writeTrace(t.testdir(), 'trace.json', trace.json())])).table;
}

const objects = (table: Awaited<ReturnType<typeof tableOf>>) =>
  Array.from({ length: table.length }, (_, i) => table.request(i).object);

t.test('the replay filter keeps GET and PUT of blobs and manifests with a size, as the original', async (t) => {
  const trace = new FakeTrace()
    .add('GET', 'v2/u/r/blobs/keep-get', { atMs: 0 })
    .add('PUT', 'v2/u/r/manifests/keep-put', { atMs: 1 })
    .add('HEAD', 'v2/u/r/blobs/head', { atMs: 2 })
    .add('PATCH', 'v2/u/r/blobs/uploads/x', { atMs: 3 })
    .add('GET', 'v2/_catalog', { atMs: 4 })
    .add('GET', 'v2/u/r/blobs/empty', { atMs: 5, size: 0 })
    .add('GET', 'v2/u/r/manifests/missing', { atMs: 6, status: 404 });
  const table = await tableOf(t, trace);
  const { table: selected, counts } = selectRequests(table);
  t.same(objects(selected), ['keep-get', 'keep-put']);
  t.same(counts, { replayable: 2, otherMethod: 2, otherPath: 1, invalidUri: 0, noSize: 1, failed: 1, beyondLimit: 0 });
  t.equal(
    Object.values(counts).reduce((a, b) => a + b, 0),
    table.length,
    'every record is in exactly one count',
  );

  const original = selectRequests(table, { includeFailed: true });
  t.same(
    objects(original.table),
    ['keep-get', 'keep-put', 'missing'],
    'includeFailed keeps traced failures, as the original did',
  );
  const withHead = selectRequests(table, { methods: [Method.GET, Method.PUT, Method.HEAD] });
  t.same(objects(withHead.table), ['keep-get', 'keep-put', 'head']);
});

t.test('limit by requests keeps the first N replayable requests', async (t) => {
  const trace = new FakeTrace();
  for (let i = 0; i < 10; i++) trace.add(i % 3 === 0 ? 'HEAD' : 'GET', `v2/u/r/blobs/b${i}`, { atMs: 1000 * i });
  const table = await tableOf(t, trace);
  const { table: selected, counts } = selectRequests(table, { limit: { type: 'requests', amount: 4 } });
  t.same(objects(selected), ['b1', 'b2', 'b4', 'b5']);
  t.equal(counts.beyondLimit, 2);
  t.equal(selectRequests(table, { limit: { type: 'requests', amount: 0 } }).table.length, 0);
});

t.test('limit by seconds keeps requests up to and including S seconds after the first replayable one', async (t) => {
  const trace = new FakeTrace()
    .add('HEAD', 'v2/u/r/blobs/h', { atMs: 0 })
    .add('GET', 'v2/u/r/blobs/a', { atMs: 500 })
    .add('GET', 'v2/u/r/blobs/b', { atMs: 2500 })
    .add('GET', 'v2/u/r/blobs/c', { atMs: 2501 });
  const table = await tableOf(t, trace);
  const { table: selected } = selectRequests(table, { limit: { type: 'seconds', amount: 2 } });
  t.same(objects(selected), ['a', 'b'], 'b is exactly 2 s after a: kept; c is past it');
  t.equal(selected.offsetMs(1), 2000, 'offsets restart at the first selected request');
});

t.test('URIs that cannot stand in a request line are left out, counted and shown escaped', async (t) => {
  const trace = new FakeTrace()
    .add('GET', 'v2/a b/blobs/space', { atMs: 0 })
    .add('GET', 'v2/u/r/blobs/ok-1', { atMs: 1 })
    .add('PUT', 'v2/u/r\r\nX-Injected: 1/blobs/crlf', { atMs: 2 })
    .add('GET', 'v2/u/r/blobs/nul\u0000', { atMs: 3 })
    .add('GET', 'v2/u/r/manifests/caf\u00e9', { atMs: 4 })
    .add('GET', 'v2/u/r/blobs/tab\there', { atMs: 5 })
    .add('PUT', 'v2/u/r/blobs/ok-2', { atMs: 6 });
  const table = await tableOf(t, trace);
  const { table: selected, counts, invalidUris } = selectRequests(table);
  t.same(objects(selected), ['ok-1', 'ok-2']);
  t.equal(counts.invalidUri, 5);
  t.equal(
    Object.values(counts).reduce((a, b) => a + b, 0),
    table.length,
    'every record is in exactly one count',
  );
  t.same(invalidUris, [
    '"v2/a b/blobs/space"',
    '"v2/u/r\\r\\nX-Injected: 1/blobs/crlf"',
    '"v2/u/r/blobs/nul\\u0000"',
    '"v2/u/r/manifests/café"',
    '"v2/u/r/blobs/tab\\there"',
  ]);
  t.notOk(
    invalidUris.some((u) => /[\u0000-\u001f]/.test(u)),
    'no control character is printed raw',
  );
});
