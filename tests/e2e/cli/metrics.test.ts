import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { freePort } from '../../../lib/registry/local.js';
import { runBin } from '../../helpers/cli.js';
import { withPrometheus } from '../../helpers/prometheus.js';
import { warmed } from '../../helpers/warmed.js';

t.test('a real Prometheus scrapes --metrics during a run and agrees with the summary', async (t) => {
  const { config, output } = await warmed(t, '', '  wait: true\n  speed: 4\n  threads: 2');
  const port = await freePort();
  const prometheus = await withPrometheus(t, `127.0.0.1:${port}`);
  const run = await runBin(['run', config, '--metrics', `127.0.0.1:${port}`, '--metrics-linger', '20'], {
    timeoutMs: 90_000,
  });
  t.equal(run.code, 0, run.stderr);
  t.match(run.stderr, `metrics: http://127.0.0.1:${port}/metrics`);
  const summary = JSON.parse(readFileSync(`${output}.summary.json`, 'utf8')) as {
    requests: { ok: number; failed: number };
    classes: Record<string, { ok: number }>;
  };
  // The last scrape before the run ended holds its final numbers (the run waited for it).
  const last = (expr: string) => prometheus.query(`sum(last_over_time(${expr}[5m]))`);
  const [requests] = await last('drtp_requests_total');
  t.equal(
    requests.value,
    summary.requests.ok + summary.requests.failed,
    'requests counted by Prometheus = the summary’s',
  );
  const [ok] = await last('drtp_requests_total{outcome="ok"}');
  t.equal(ok.value, summary.requests.ok);
  const byClass = await prometheus.query('sum by (class) (last_over_time(drtp_request_latency_seconds_count[5m]))');
  for (const { metric, value } of byClass)
    t.equal(value, summary.classes[metric.class]?.ok, `${metric.class}: a latency observation per successful request`);
  t.ok(byClass.length > 0);
  const [inFlight] = await prometheus.query('last_over_time(drtp_requests_in_flight[5m])');
  t.equal(inFlight.value, 0, 'nothing in flight at the end');
});

/** Scrapes `url` every 100 ms until `job` ends (it waits for a scrape after its end); the last text scraped. */
async function scrapeUntilDone<T>(url: string, job: Promise<T>): Promise<{ result: T; text: string }> {
  let ended = false;
  const result = job.finally(() => (ended = true));
  let text = '';
  while (!ended) {
    const scraped = await request(url).then(
      (r) => r.body.text(),
      () => '',
    );
    if (scraped !== '') text = scraped;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { result: await result, text };
}

t.test(
  '--metrics serves OpenMetrics text with bounded labels, in run and warmup; a bad address is a usage error',
  async (t) => {
    const { config } = await warmed(t);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/metrics`;
    const { result: run, text } = await scrapeUntilDone(
      url,
      runBin(['run', config, '--metrics', `127.0.0.1:${port}`, '--metrics-linger', '30'], { timeoutMs: 90_000 }),
    );
    t.equal(run.code, 0, run.stderr);
    t.match(text, /^# TYPE drtp_requests counter$/m);
    t.match(
      text,
      /^drtp_requests_total\{class="GET blob",registry="http:\/\/127\.0\.0\.1:\d+",outcome="ok"\} [1-9]\d*$/m,
    );
    t.match(text, /^drtp_request_latency_seconds_bucket\{le="0\.001",class="GET blob"\} \d+$/m);
    t.match(text, /^drtp_late_sends_total \d+$/m, "the generator's late sends");
    t.match(text, /^drtp_queued_sends_total \d+$/m, "and the requests held behind their client's own, apart");
    t.match(text, /# EOF\n$/, 'OpenMetrics');
    const labels = new Set([...text.matchAll(/(\w+)="/g)].map((m) => m[1]));
    t.same([...labels].sort(), ['class', 'le', 'outcome', 'registry'], 'labels: class, registry, outcome (and le)');

    const { result: warmup, text: warmupText } = await scrapeUntilDone(
      url,
      runBin(['warmup', config, '--metrics', `127.0.0.1:${port}`, '--metrics-linger', '30'], { timeoutMs: 90_000 }),
    );
    t.equal(warmup.code, 0, warmup.stderr);
    const present = /^drtp_warmup_blobs_total\{registry="[^"]+",outcome="present"\} (\d+)$/m.exec(warmupText);
    const planned = /^drtp_warmup_blobs_planned (\d+)$/m.exec(warmupText);
    t.ok(present !== null && planned !== null && present[1] === planned[1], 'a second warmup finds every blob present');

    const dashboard = readFileSync(join(import.meta.dirname, '../../../examples/grafana/drtp-dashboard.json'), 'utf8');
    const used = new Set(
      [...dashboard.matchAll(/drtp_\w+/g)].map((m) => m[0].replace(/_(total|bucket|count|sum)$/, '')),
    );
    const served = `${text}${warmupText}`;
    for (const name of used)
      t.match(served, new RegExp(`^# TYPE ${name} `, 'm'), `the Grafana dashboard's ${name} is served`);

    const bad = await runBin(['run', config, '--metrics', 'localhost'], { timeoutMs: 30_000 });
    t.same(
      [bad.code, bad.stderr],
      [2, 'drtp: E_USAGE: --metrics "localhost" is not HOST:PORT (e.g. 127.0.0.1:9464, or :9464 for every address)\n'],
    );
  },
);
