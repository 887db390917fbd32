import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { loadTrace } from '../../../lib/trace/load.js';
import { isDrtpError } from '../../../lib/errors.js';
import { writeSynthTrace } from '../../../lib/trace/synth-files.js';
import { FakeTrace, writeTrace, type TraceRecord } from '../../helpers/fake-trace.js';

const SAMPLE = join(import.meta.dirname, '../../fixtures/traces/sample_stage-dal09.json');

/** What the table must hold for `records`, computed independently with JSON.parse and Date.parse. */
function expectedRows(records: TraceRecord[]) {
  return records
    .map((r, i) => ({ r, i, time: Date.parse(r.timestamp as string) }))
    .sort((a, b) => a.time - b.time || a.i - b.i)
    .map(({ r, time }) => ({
      time,
      method: r['http.request.method'],
      uri: (r['http.request.uri'] as string).replace(/^\//, ''),
      client: r['http.request.remoteaddr'] ?? '',
      size: r['http.response.written'],
      duration: Math.fround(r['http.request.duration'] ?? NaN),
      status: r['http.response.status'] ?? 0,
    }));
}

function actualRows(table: Awaited<ReturnType<typeof loadTrace>>['table']) {
  return Array.from({ length: table.length }, (_, i) => {
    const r = table.request(i);
    return {
      time: table.columns.time[i],
      method: r.method,
      uri: r.uri,
      client: r.client,
      size: r.size,
      duration: r.duration,
      status: r.status,
    };
  });
}

t.test('the real IBM sample is read whole, in timestamp order, without its missing useragent field', async (t) => {
  const records = JSON.parse(readFileSync(SAMPLE, 'utf8')) as TraceRecord[];
  const { table, stats } = await loadTrace([SAMPLE]);
  t.equal(stats.malformed, 0);
  t.equal(table.length, records.length);
  t.same(actualRows(table), expectedRows(records));
  const times = Array.from(table.columns.time);
  t.same(
    times,
    [...times].sort((a, b) => a - b),
    'sorted although the file is not',
  );
  t.equal(table.offsetMs(0), 0, 'offsets count from the first request');
  t.equal(table.request(0).repo, '08f6a309/9f625072', 'repo is everything between v2/ and /blobs/');
});

t.test('JSON arrays, NDJSON and gzip of both give the same table, whatever the window size', async (t) => {
  const dir = t.testdir();
  const [file] = await writeSynthTrace(dir, { requests: 400, seed: 11 });
  const text = readFileSync(file, 'utf8');
  const records = JSON.parse(text) as TraceRecord[];
  const ndjson = records.map((r) => JSON.stringify(r)).join('\n');
  const variants = {
    json: file,
    ndjson: writeTrace(dir, 'trace.ndjson', ndjson),
    'json.gz': writeTrace(dir, 'trace.json.gz', text, true),
    'ndjson.gz': writeTrace(dir, 'trace.ndjson.gz', ndjson, true),
  };
  const expected = expectedRows(records);
  for (const [name, path] of Object.entries(variants)) {
    for (const windowBytes of [16, 333, 1 << 20]) {
      const { table, stats } = await loadTrace([path], { windowBytes });
      t.equal(stats.malformed, 0, `${name}, window ${windowBytes}: nothing malformed`);
      t.same(actualRows(table), expected, `${name}, window ${windowBytes}: every field of every record`);
    }
  }
});

t.test('several files make one trace in timestamp order; ties keep file order', async (t) => {
  const dir = t.testdir();
  const a = new FakeTrace().add('GET', 'v2/u/r/blobs/a1', { atMs: 3000 }).add('GET', 'v2/u/r/blobs/a0', { atMs: 1000 });
  const b = new FakeTrace().add('GET', 'v2/u/r/blobs/b0', { atMs: 1000 }).add('GET', 'v2/u/r/blobs/b1', { atMs: 2000 });
  const files = [writeTrace(dir, 'a.json', a.json()), writeTrace(dir, 'b.json', b.json(), true)];
  const { table } = await loadTrace(files);
  t.same(
    Array.from({ length: table.length }, (_, i) => table.request(i).object),
    ['a0', 'b0', 'b1', 'a1'],
  );
  t.same(
    Array.from({ length: table.length }, (_, i) => table.offsetMs(i)),
    [0, 0, 1000, 2000],
  );
});

t.test('malformed records are skipped, counted and reported as file:offset: reason', async (t) => {
  const dir = t.testdir();
  const good = (id: string, at: number) =>
    JSON.stringify(new FakeTrace().add('GET', `v2/u/r/blobs/${id}`, { atMs: at }).records[0]);
  const bad = {
    notObject: '12345',
    missing: JSON.stringify({
      'http.request.method': 'GET',
      'http.request.uri': 'v2/u/r/blobs/x',
      'http.response.written': 5,
    }),
    mistyped: JSON.stringify({ ...JSON.parse(good('y', 0)), 'http.response.written': '12' }),
    badTime: JSON.stringify({ ...JSON.parse(good('z', 0)), timestamp: '2017-13-45T00:00:00.000Z' }),
    garbage: '{"host": "abc", oops}',
  };
  const parts = [
    good('g0', 0),
    bad.notObject,
    bad.missing,
    good('g1', 10),
    bad.mistyped,
    bad.badTime,
    bad.garbage,
    good('g2', 20),
  ];
  const text = `[\n${parts.join(',\n')},\n  {"host":"trunc`;
  const path = writeTrace(dir, 'mixed.json', text);
  const { table, stats } = await loadTrace([path]);
  t.same(
    Array.from({ length: table.length }, (_, i) => table.request(i).object),
    ['g0', 'g1', 'g2'],
    'every good record survives',
  );
  t.equal(stats.malformed, 6);
  const at = (s: string) => text.indexOf(s);
  t.same(stats.malformedExamples, [
    `${path}:${at(bad.notObject)}: record is not an object`,
    `${path}:${at(bad.missing)}: missing field "timestamp"`,
    `${path}:${at(bad.mistyped)}: field "http.response.written" is not a number`,
    `${path}:${at(bad.badTime)}: unparsable timestamp "2017-13-45T00:00:00.000Z"`,
    `${path}:${at('oops')}: invalid JSON: expected a key, found 'o'`,
    `${path}:${at('{"host":"trunc')}: truncated record at end of file`,
  ]);
});

t.test('--strict stops at the first malformed record with E_TRACE_PARSE, file and offset', async (t) => {
  const dir = t.testdir();
  const trace = new FakeTrace().add('GET', 'v2/u/r/blobs/a', { atMs: 0 });
  const text = trace.json().replace(/\n\]\n$/, ',\n  {"timestamp": 7}\n]\n');
  const path = writeTrace(dir, 'strict.json', text);
  const err = await loadTrace([path], { strict: true }).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(isDrtpError(err), 'a typed error');
  if (!isDrtpError(err)) return;
  t.equal(err.code, 'E_TRACE_PARSE');
  t.same(err.location, { file: path, offset: text.indexOf('{"timestamp": 7}') });
  t.equal(err.message, 'field "timestamp" is not a string');
});

t.test('a gzip file cut short yields the records before the cut', async (t) => {
  const dir = t.testdir();
  const trace = new FakeTrace();
  for (let i = 0; i < 2000; i++) trace.add('GET', `v2/u/r/blobs/b${i}`, { atMs: i });
  const gz = gzipSync(trace.json());
  const path = writeTrace(dir, 'cut.json.gz', '');
  const { writeFileSync } = await import('node:fs');
  writeFileSync(path, gz.subarray(0, Math.floor(gz.length / 2)));
  const { table, stats } = await loadTrace([path]);
  t.ok(table.length > 100 && table.length < 2000, `read ${table.length} records before the cut`);
  t.equal(stats.malformed, 1, 'the cut record is reported');
  t.match(stats.malformedExamples[0], /truncated record at end of file$/);
});

t.test('escaped strings, null fields and nested unknown fields are handled', async (t) => {
  const dir = t.testdir();
  const text = [
    '[',
    '{"timestamp":"2017-07-01T00:00:01.000Z","http.request.method":"GET","http.request.uri":"v2\\/u\\/r\\/blobs\\/esc","http.response.written":10,"http.request.remoteaddr":"c\\u0041","extra":{"a":[1,{"b":"}"}]}},',
    '{"timestamp":"2017-07-01T00:00:02.000Z","http.request.method":"PUT","http.request.uri":"/v2/u/r/manifests/m","http.response.written":5,"http.request.duration":null,"http.response.status":201}',
    ']',
  ].join('\n');
  const { table, stats } = await loadTrace([writeTrace(dir, 'esc.json', text)]);
  t.equal(stats.malformed, 0);
  t.same(table.request(0), { ...table.request(0), uri: 'v2/u/r/blobs/esc', client: 'cA', kind: 'blob' });
  t.same(table.request(1), {
    ...table.request(1),
    uri: 'v2/u/r/manifests/m',
    client: '',
    status: 201,
    kind: 'manifest',
    method: 'PUT',
  });
  t.ok(Number.isNaN(table.request(1).duration), 'a null duration is absent');
});

t.test(
  "each record's user agent is kept, interned and decoded; none, null or a non-string is the empty agent",
  async (t) => {
    const dir = t.testdir();
    const agent = 'docker/1.12.6 go/go1.6.4 UpstreamClient(Docker-Client/1.12.6 \\\\(linux\\\\))';
    const rec = (i: number, ua: string): string =>
      `{"timestamp":"2017-07-01T00:00:0${i}.000Z","http.request.method":"GET","http.request.uri":"v2/u/r/blobs/b${i}","http.response.written":10,"http.request.remoteaddr":"c"${ua}}`;
    const text = `[${[rec(1, `,"http.request.useragent":"${agent}"`), rec(2, ''), rec(3, ',"http.request.useragent":null'), rec(4, ',"http.request.useragent":7'), rec(5, `,"http.request.useragent":"${agent}"`), rec(6, ',"http.request.useragent":"other/1"'), rec(7, ',"http.request.useragent":"bad \\x escape"')].join(',')}]`;
    const { table, stats } = await loadTrace([writeTrace(dir, 'agents.json', text)]);
    t.equal(stats.malformed, 0, 'an odd user agent does not make a record malformed');
    t.equal(table.request(6).agent, '', 'an agent with a broken escape is left out, its record kept');
    t.same(
      Array.from({ length: 6 }, (_, i) => table.request(i).agent),
      [
        'docker/1.12.6 go/go1.6.4 UpstreamClient(Docker-Client/1.12.6 \\(linux\\))',
        '',
        '',
        '',
        'docker/1.12.6 go/go1.6.4 UpstreamClient(Docker-Client/1.12.6 \\(linux\\))',
        'other/1',
      ],
    );
    t.equal(table.columns.agent[0], table.columns.agent[4], 'one id per distinct agent');
    t.same(
      table.pools.agents.toArray(),
      ['', 'docker/1.12.6 go/go1.6.4 UpstreamClient(Docker-Client/1.12.6 \\(linux\\))', 'other/1'],
      'id 0 is the empty agent',
    );
  },
);

t.test('a missing file is an E_IO error naming it', async (t) => {
  await t.rejects(loadTrace(['/nonexistent/trace.json']), {
    code: 'E_IO',
    location: { file: '/nonexistent/trace.json' },
  });
});
