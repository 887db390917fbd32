import t from 'tap';
import { join } from 'node:path';
import { loadTrace } from '../../../lib/trace/load.js';
import { connectionWarning, openFileLimit, spanWarning } from '../../../lib/planning/run-warnings.js';
import { FakeTrace, writeTrace } from '../../helpers/fake-trace.js';

const T0 = Date.parse('2017-07-01T00:00:00.000Z');

t.test('a timed replay stretched by a few far-off timestamps is warned of; a normal one is not', async (t) => {
  const dir = t.testdir();
  const fake = new FakeTrace();
  for (let i = 0; i < 300; i++) fake.add('GET', `v2/u/r/blobs/b${i}`, { atMs: i * 1000 });
  writeTrace(dir, 'normal.json', fake.json());
  fake.add('GET', 'v2/u/r/blobs/early', { atMs: Date.parse('1970-01-01T00:00:00Z') - T0 });
  fake.add('GET', 'v2/u/r/blobs/late', { atMs: Date.parse('2099-01-01T00:00:00Z') - T0 });
  writeTrace(dir, 'stretched.json', fake.json());
  const normal = (await loadTrace([join(dir, 'normal.json')])).table;
  t.equal(spanWarning(normal, 1), undefined, '300 requests over 5 minutes: no warning');
  const stretched = (await loadTrace([join(dir, 'stretched.json')])).table;
  const warning = spanWarning(stretched, 2) ?? '';
  t.match(
    warning,
    /the trace spans 129 years \(1970-01-01T00:00:00\.000Z \.\. 2099-01-01T00:00:00\.000Z\) but 98% of its requests fall within 5 min: .* last 64 years/,
  );
});

t.test('more connections than open files is warned of before the replay', async (t) => {
  t.equal(connectionWarning(100, 3, 1, 1024), undefined);
  t.match(
    connectionWarning(100_000, 3, 2, 1024) ?? '',
    /up to 600,000 connections \(100,000 clients x in_flight 3 x 2 registries\), more than this process's limit of 1,024 open files: raise it \(ulimit -n\)/,
  );
  t.equal(connectionWarning(100_000, 3, 2, undefined), undefined, 'no limit known, no warning');
  const limit = openFileLimit();
  t.ok(limit === undefined || (Number.isInteger(limit) && limit > 0), `this process's limit: ${limit}`);
});
