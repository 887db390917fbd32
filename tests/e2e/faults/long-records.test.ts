import t from 'tap';
import { join } from 'node:path';
import { runBin } from '../../helpers/cli.js';
import { gzipFile } from '../../helpers/fake-trace.js';

const record = (uri: string): string =>
  `{"http.request.method":"GET","http.request.uri":"${uri}","http.response.written":1,"timestamp":"2017-07-01T00:00:00.000Z"}`;

// A long record used to be rescanned at every gunzip chunk: quadratic in its length (a 2 MB .gz holding
// an unterminated string burned minutes of CPU before the cap stopped it). The watchdog bounds a hang,
// not a speed.
t.test('a gzip trace with a string that never ends stops at the record cap, with file and offset', async (t) => {
  const dir = t.testdir();
  const file = join(dir, 'unterminated.json.gz');
  await gzipFile(file, `[${record('v2/a/b/blobs/1')},{"junk":"`, Buffer.alloc(1 << 20, 0x79), 300, '');
  const run = await runBin(['import', file, '--out', join(dir, 'x.drtp'), '--strict'], { timeoutMs: 90_000 });
  t.notOk(run.timedOut, 'ended');
  t.equal(run.code, 2);
  t.equal(
    run.stderr,
    `drtp: E_TRACE_PARSE: ${file}:${record('v2/a/b/blobs/1').length + 2}: a record is larger than 256 MiB: is this a trace file?\n`,
  );
});

t.test('a record with a 64 MB field inside a gzip trace is read like any other', async (t) => {
  const dir = t.testdir();
  const file = join(dir, 'long.json.gz');
  await gzipFile(
    file,
    `[${record('v2/a/b/blobs/1')},{"junk":"`,
    Buffer.alloc(1 << 20, 0x78),
    64,
    `",${record('v2/a/b/blobs/2').slice(1)}]`,
  );
  const run = await runBin(['import', file, '--out', join(dir, 'x.drtp')], { timeoutMs: 90_000 });
  t.notOk(run.timedOut, 'ended');
  t.equal(run.code, 0, run.stderr);
  t.match(run.stdout, /^read 2 records from 1 file\n/);
});
