import t from 'tap';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { runBin } from '../../helpers/cli.js';
import { FakeTrace, writeTrace } from '../../helpers/fake-trace.js';
import { tarHeader } from '../../../lib/registry/layer-archive.js';

const BIN = join(import.meta.dirname, '../../../dist/cli/main.js');

function trace(dir: string): string {
  const fake = new FakeTrace();
  for (let i = 0; i < 300; i++) fake.add('GET', `v2/u/r/blobs/b${i}`, { client: `c${i % 5}`, atMs: i });
  return writeTrace(dir, 'trace.json', fake.json());
}

t.test('a FIFO with no writer waits, and the first Ctrl-C ends the wait (exit 130, nothing written)', async (t) => {
  const dir = t.testdir();
  execFileSync('mkfifo', [join(dir, 'f')]);
  const run = await runBin(['import', join(dir, 'f'), '--out', join(dir, 'x.drtp')], {
    timeoutMs: 30_000,
    signals: [{ signal: 'SIGINT', afterMs: 1500 }],
  });
  t.notOk(run.timedOut, 'the process ended');
  t.equal(run.code, 130, run.stderr);
  t.notOk(existsSync(join(dir, 'x.drtp')), 'no table');
});

t.test("a FIFO with a writer, and a shell's <(...) of a gzip stream, are read as traces", async (t) => {
  const dir = t.testdir();
  const file = trace(dir);
  execFileSync('mkfifo', [join(dir, 'f')]);
  const writer = spawn('sh', ['-c', `cat "${file}" > "${join(dir, 'f')}"`], { stdio: 'ignore' });
  const fifo = await runBin(['import', join(dir, 'f'), '--out', join(dir, 'fifo.drtp')], { timeoutMs: 30_000 });
  writer.kill();
  t.equal(fifo.code, 0, fifo.stderr);
  t.match(fifo.stdout, /wrote .*fifo\.drtp: 300 requests/);
  writeFileSync(join(dir, 'trace.json.gz'), gzipSync(readFileSync(file)));
  const substituted = await new Promise<{ code: number | null; out: string }>((resolve) => {
    const child = spawn(
      'bash',
      ['-c', `"${process.execPath}" "${BIN}" analyze --json <(cat "${join(dir, 'trace.json.gz')}")`],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('exit', (code) => resolve({ code, out }));
  });
  t.equal(substituted.code, 0);
  t.equal((JSON.parse(substituted.out) as { records: number }).records, 300, 'every record of the gzip stream');
});

t.test(
  'a truncated .tar, or a member whose header claims 1 TiB, is E_TRACE_PARSE naming the archive (exit 2)',
  async (t) => {
    const dir = t.testdir();
    const file = trace(dir);
    const body = readFileSync(file);
    const padded = Buffer.concat([body, Buffer.alloc((512 - (body.length % 512)) % 512)]);
    const whole = Buffer.concat([tarHeader('t/trace.json', body.length), padded, Buffer.alloc(1024)]);
    writeFileSync(join(dir, 'cut.tar'), whole.subarray(0, 512 + Math.floor(body.length / 2)));
    writeFileSync(
      join(dir, 'huge.tar'),
      Buffer.concat([tarHeader('t/trace.json', 1024 ** 4), padded, Buffer.alloc(1024)]),
    );
    for (const name of ['cut.tar', 'huge.tar']) {
      for (const command of [
        ['import', join(dir, name), '--out', join(dir, 'x.drtp')],
        ['analyze', join(dir, name)],
      ]) {
        const run = await runBin(command, { timeoutMs: 30_000 });
        t.equal(run.code, 2, `${command[0]} ${name}: exit 2`);
        t.match(
          run.stderr,
          new RegExp(
            `E_TRACE_PARSE: .*${name.replace('.', '\\.')} is not a readable tar archive: the archive ends inside t/trace\\.json`,
          ),
          `${command[0]} ${name}: ${run.stderr.split('\n')[0]}`,
        );
      }
    }
    t.notOk(existsSync(join(dir, 'x.drtp')));
  },
);

t.test(
  'an oracleGeneral .zst bomb is refused as it unpacks, and a frame declaring a part record at once',
  async (t) => {
    const fixtures = join(import.meta.dirname, '../../fixtures/traces');
    // 33 KB of zstd that unpacks to 1 GiB of zeros (made by `head -c 1G /dev/zero | zstd -19`): refused at 64 MB out, not after 2 GB of table.
    for (const command of ['import', 'analyze']) {
      const bomb = await runBin(
        [
          command,
          join(fixtures, 'zeros-1gib.oracleGeneral.zst'),
          ...(command === 'import' ? ['--out', join(t.testdir(), 'b.drtp')] : []),
        ],
        { timeoutMs: 60_000 },
      );
      t.equal(bomb.code, 2, `${command}: exit 2`);
      t.match(
        bomb.stderr,
        /E_TRACE_PARSE: .*zeros-1gib\.oracleGeneral\.zst:\d+: 33 KB of zstd data have unpacked to \d+ MB and go on: over 1000 times/,
      );
    }
    const declared = await runBin(['analyze', join(fixtures, 'declares-24001-bytes.oracleGeneral.zst')], {
      timeoutMs: 30_000,
    });
    t.equal(declared.code, 2);
    t.match(
      declared.stderr,
      /declares-24001-bytes\.oracleGeneral\.zst:0: its zstd frame declares 24,001 bytes, not whole 24-byte oracleGeneral records/,
    );
  },
);

t.test('an archive inside an archive is not read, and the read says so', async (t) => {
  const dir = t.testdir();
  trace(dir);
  execFileSync('tar', ['-cf', join(dir, 'inner.tar'), '-C', dir, 'trace.json']);
  execFileSync('tar', ['-cf', join(dir, 'outer.tar'), '-C', dir, 'trace.json', 'inner.tar']);
  const run = await runBin(['import', join(dir, 'outer.tar'), '--out', join(dir, 'x.drtp')], { timeoutMs: 30_000 });
  t.equal(run.code, 0, run.stderr);
  t.match(run.stdout, /read 300 records from 1 file/);
  t.match(
    run.stdout,
    /skipped 1 archive inside archives, not read \(unpack them, or give them as traces\): .*outer\.tar:inner\.tar/,
  );
});
