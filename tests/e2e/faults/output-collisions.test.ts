import t from 'tap';
import { linkSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../helpers/cli.js';
import { FakeTrace, writeTrace } from '../../helpers/fake-trace.js';

/** A trace of 200 blob GETs and a run configuration over it (no registry is reached: every case is refused first). */
function setup(dir: string): { trace: string; config: string } {
  const fake = new FakeTrace();
  for (let i = 0; i < 200; i++)
    fake.add('GET', `v2/u/r/blobs/b${i % 50}`, { client: `c${i % 4}`, atMs: i * 10, size: 1000 + i });
  const trace = writeTrace(dir, 'trace.json', fake.json());
  const config = join(dir, 'run.yaml');
  writeFileSync(
    config,
    `trace: {traces: [trace.json], output: out/results.ndjson}\nregistry: [127.0.0.1:9]\nwarmup: {output: interm.json}\nsimulate: {name: lru, args: {cache_size: [1000]}}\n`,
  );
  mkdirSync(join(dir, 'out'));
  writeFileSync(join(dir, 'out/results.ndjson'), 'old results\n');
  writeFileSync(join(dir, 'out/results.ndjson.summary.json'), '{"old": true}\n');
  writeFileSync(join(dir, 'interm.json'), '{}');
  return { trace, config };
}

t.test('an output that is an input or another output is refused before anything is written (exit 2)', async (t) => {
  const dir = t.testdir();
  const { trace, config } = setup(dir);
  const before = (path: string): string => readFileSync(join(dir, path), 'utf8');
  const traceText = before('trace.json');
  const cases: { args: string[]; says: RegExp }[] = [
    {
      args: ['run', config, '--junit', join(dir, 'out/results.ndjson')],
      says: /--junit .*results\.ndjson is a file this command writes .* as trace\.output \(the results\) too/,
    },
    {
      args: ['run', config, '--junit', join(dir, 'out/results.ndjson.summary.json')],
      says: /--junit .* writes .* as the summary too/,
    },
    {
      args: ['run', config, '--junit', config],
      says: /--junit .*run\.yaml is a file this command reads .* as the configuration/,
    },
    {
      args: [
        'report',
        join(dir, 'out/results.ndjson.summary.json'),
        '--out',
        join(dir, 'out/results.ndjson.summary.json'),
      ],
      says: /--out .* reads .* as a summary/,
    },
    {
      args: ['report', join(dir, 'out/results.ndjson.summary.json'), '--out', join(dir, 'out/results.ndjson')],
      says: /--out .* reads .* as the results of a summary/,
    },
    {
      args: ['analyze', trace, '--html', trace],
      says: /--html .*trace\.json is a file this command reads .* as a trace/,
    },
    {
      args: [
        'merge',
        join(dir, 'out/results.ndjson.summary.json'),
        '--out',
        join(dir, 'out/results.ndjson.summary.json'),
      ],
      says: /--out .* as a summary/,
    },
    {
      args: [
        'merge',
        join(dir, 'out/results.ndjson.summary.json'),
        '--out',
        join(dir, 'm.json'),
        '--junit',
        join(dir, 'm.json'),
      ],
      says: /--junit .*m\.json .* as --out too/,
    },
    { args: ['simulate', config, '--csv', trace], says: /--csv .* as a trace/ },
    {
      args: ['simulate', config, '--csv', join(dir, 'p.csv'), '--svg', join(dir, 'p.csv')],
      says: /--svg .* as --csv too/,
    },
    { args: ['import', trace, '--out', join(dir, 'trace.json')], says: /--out must name a \.drtp file/ },
  ];
  for (const { args, says } of cases) {
    const r = await runCli(args);
    t.equal(r.code, 2, `${args[0]} ${args.slice(-2).join(' ')}: exit 2`);
    t.match(r.stderr, says, `${args[0]}: ${r.stderr.trim()}`);
  }
  // A second name of the same file (a hard link) is the same file.
  linkSync(trace, join(dir, 'alias.html'));
  const linked = await runCli(['analyze', trace, '--html', join(dir, 'alias.html')]);
  t.equal(linked.code, 2, 'a hard link to the trace is refused');
  t.equal(before('trace.json'), traceText, 'the trace is untouched');
  t.equal(before('out/results.ndjson'), 'old results\n', 'the results are untouched');
  t.equal(before('out/results.ndjson.summary.json'), '{"old": true}\n', 'the summary is untouched');
  t.equal(before('run.yaml').startsWith('trace:'), true, 'the configuration is untouched');
  t.same(
    readdirSync(join(dir, 'out')).sort(),
    ['results.ndjson', 'results.ndjson.summary.json'],
    'nothing new in out/',
  );
});

t.test('an output that cannot be written is found before the work starts (exit 4)', async (t) => {
  const dir = t.testdir();
  const { config } = setup(dir);
  writeFileSync(join(dir, 'a-file'), 'x');
  const under = await runCli(['run', config, '--junit', join(dir, 'a-file/junit.xml')]);
  t.equal(under.code, 4, under.stderr);
  t.match(under.stderr, /E_IO: cannot write --junit .*a-file\/junit\.xml: .*a-file is not a directory/);
  const directory = await runCli(['analyze', join(dir, 'trace.json'), '--html', join(dir, 'out')]);
  t.equal(directory.code, 4);
  t.match(directory.stderr, /E_IO: cannot write --html .*out: it is a directory/);
});

t.test('import DIR --out DIR/all.drtp does not read its own earlier output, nor drtp temp files', async (t) => {
  const dir = t.testdir();
  const traces = join(dir, 'traces');
  mkdirSync(traces);
  const fake = new FakeTrace();
  for (let i = 0; i < 200; i++) fake.add('GET', `v2/u/r/blobs/b${i}`, { atMs: i });
  writeTrace(traces, 'a.json', fake.json());
  writeFileSync(join(traces, '.all.drtp.tmp-123-abcd'), 'a temp file of an interrupted write');
  for (let round = 1; round <= 3; round++) {
    const r = await runCli(['import', traces, '--out', join(traces, 'all.drtp')]);
    t.equal(r.code, 0, r.stderr);
    t.match(r.stdout, /wrote .*all\.drtp: 200 requests/, `round ${round}: 200 requests, not ${200 * round}`);
  }
  // An HTML page named .json in the directory read: the second analyze must not take the first one's page for a trace.
  for (let round = 1; round <= 2; round++) {
    const analyzed = await runCli(['analyze', traces, '--strict', '--html', join(traces, 'page.json')]);
    t.equal(analyzed.code, 0, `analyze round ${round}: ${analyzed.stderr}`);
  }
});

t.test(
  'a second run into the output of a run still going is refused; a lock left by a dead run is taken over',
  async (t) => {
    const dir = t.testdir();
    const { config } = setup(dir);
    const lock = join(dir, 'out/.results.ndjson.lock');
    // A live process holds it: this test's own parent, which is not the run's.
    writeFileSync(lock, `${process.ppid}\n`);
    const refused = await runCli(['run', config]);
    t.equal(refused.code, 2);
    t.match(
      refused.stderr,
      new RegExp(`E_USAGE: another drtp \\(pid ${process.ppid}\\) is writing trace.output .*results\\.ndjson`),
    );
    t.equal(readFileSync(join(dir, 'out/results.ndjson'), 'utf8'), 'old results\n', 'the results are untouched');
    // A PID no process has: the lock is stale, and the run goes on (to its next problem: no registry answers).
    writeFileSync(lock, '4194301\n');
    const taken = await runCli(['run', config]);
    t.notMatch(taken.stderr, /another drtp/, taken.stderr);
    t.notOk(readdirSync(join(dir, 'out')).includes('.results.ndjson.lock'), 'the lock is released at the end');
  },
);
