import t from 'tap';
import type { Segment } from '../../../lib/contract/replay.js';
import { Op } from '../../../lib/contract/ops.js';
import { ReplayAccounting } from '../../../lib/replay/accounting.js';
import { buildSummary, type RunSummary } from '../../../lib/stats/summary.js';
import { decodeHistogram } from '../../../lib/stats/histogram.js';
import { evaluateThresholds, thresholdsOfSummaries } from '../../../lib/thresholds/evaluate.js';
import { isThresholdProblem, parseThreshold, type Threshold } from '../../../lib/thresholds/expression.js';
import { LiveThresholds } from '../../../lib/thresholds/live.js';
import { Recorder, slotOfMs } from '../../../lib/stats/recorder.js';

const threshold = (text: string): Threshold => {
  const p = parseThreshold(text);
  if (isThresholdProblem(p)) throw new Error(p.message);
  return p;
};

/** One row per op given, due at 0, sent `lateMs` after it. */
function segmentOf(ops: number[], sizes: number[]): Segment {
  const n = ops.length;
  return {
    length: n,
    due: new Float64Array(n),
    op: Uint8Array.from(ops),
    size: Float64Array.from(sizes),
    registry: new Uint8Array(n),
    actor: new Uint32Array(n),
    target: new Uint32Array(n),
    repo: new Uint32Array(n),
    agent: new Uint32Array(n),
    rowId: Uint32Array.from({ length: n }, (_, i) => i),
  };
}

/**
 * An open-loop run through the engine's accounting: 1,000 GET blobs of 1 KB taking 1..1000 ms, each
 * sent i/100 ms late, the last 10 failing with 404; 4 PUT blobs of 1 MB; 10 s long.
 */
function summaryOfRun(): RunSummary {
  const ops = [...Array.from({ length: 1000 }, () => Op.GET_BLOB), Op.PUT_BLOB, Op.PUT_BLOB, Op.PUT_BLOB, Op.PUT_BLOB];
  const seg = segmentOf(
    ops,
    ops.map((op) => (op === Op.GET_BLOB ? 1000 : 1e6)),
  );
  const accounts = new ReplayAccounting({ wait: true, lateMs: 5, registries: 1, liveLatency: false });
  for (let i = 0; i < seg.length; i++) {
    const late = i < 1000 ? i / 100 : 0;
    accounts.sent(seg, i, late);
    const doneMs = i < 1000 ? i + 1 : 10_000;
    const failed = i >= 990 && i < 1000;
    accounts.done(seg, i, i, late, doneMs, 0.5, failed ? 404 : 200, i < 1000 ? 1000 : 1e6, null);
  }
  return buildSummary(accounts.finish(), {}, ['http://127.0.0.1:5000'], {}, Date.now());
}

t.test('thresholds are judged on the exact histograms and counts of the summary', async (t) => {
  const s = summaryOfRun();
  const get = decodeHistogram(s.histograms['GET blob.latency']);
  const verdicts = evaluateThresholds(
    [
      'GET blob: p99 < 1s',
      'GET blob: p50 < 100ms',
      'all: failed_rate < 1%',
      'all: failed <= 10',
      'PUT blob: throughput > 0.3MB/s',
      'all: on_time > 40%',
      'registry 127.0.0.1:5000: max < 20s',
      'all: lateness_p99 < 5ms',
    ].map(threshold),
    s,
  );
  t.same(
    verdicts.map((v) => v.pass),
    [true, false, true, true, true, true, true, false],
  );
  t.equal(verdicts[0].observed, get.getValueAtPercentile(99) / 1000, 'p99 of the GET blob histogram, in ms');
  t.ok(
    Math.abs((verdicts[0].observed as number) - 990 * 0.99) < 10,
    'which is about 99% of the successful GETs (1..990 ms)',
  );
  t.equal(verdicts[2].observed, 10 / 1004, 'failed / sent');
  t.equal(verdicts[3].observed, 10);
  t.equal(verdicts[4].observed, (4 * 1e6) / s.durationSeconds, 'PUT bytes over the run');
  t.equal(verdicts[5].observed, s.onTimeRatio);
  t.equal(s.onTimeRatio, (994 - 499) / 994, 'sent more than 5 ms late: rows 501..999');
  t.ok((verdicts[7].observed as number) > 9.8 && (verdicts[7].observed as number) < 10, 'lateness p99 of 0..9.99 ms');
  t.equal(verdicts[1].shown, `${Number((get.getValueAtPercentile(50) / 1000).toPrecision(4))} ms`);
});

t.test('a threshold on something the run did not measure fails, saying so', async (t) => {
  const s = summaryOfRun();
  const [head, rate, registry] = evaluateThresholds(
    ['HEAD blob: p99 < 1s', 'HEAD blob: failed_rate < 1%', 'registry http://elsewhere:1: p99 < 1s'].map(threshold),
    s,
  );
  t.same(head, {
    threshold: 'HEAD blob: p99 < 1s',
    observed: null,
    shown: 'no data: no HEAD blob requests measured',
    pass: false,
  });
  t.match(rate, { pass: false, shown: 'no data: no HEAD blob requests sent' });
  t.match(registry, { pass: false, shown: /the run has no registry http:\/\/elsewhere:1/ });
});

t.test('a closed-loop run has no lateness: on_time and lateness thresholds fail as unmeasured', async (t) => {
  const seg = segmentOf([Op.GET_BLOB], [10]);
  const accounts = new ReplayAccounting({ wait: false, lateMs: 5, registries: 1, liveLatency: false });
  accounts.sent(seg, 0, 0);
  accounts.done(seg, 0, 0, 0, 3, 1, 200, 10, null);
  const s = buildSummary(accounts.finish(), {}, ['r'], {}, 0);
  const verdicts = evaluateThresholds([threshold('all: on_time > 1%'), threshold('all: lateness_p99 < 1s')], s);
  t.same(
    verdicts.map((v) => v.pass),
    [false, false],
  );
  t.match(verdicts[0].shown, /open loop only/);
});

t.test('merge judges the thresholds the shards were judged by, each once', async (t) => {
  const s = summaryOfRun();
  const a = {
    file: 'a.json',
    summary: { ...s, thresholds: [{ threshold: 'all: p99 < 1s', observed: 1, shown: '1 ms', pass: true }] },
  };
  const b = {
    file: 'b.json',
    summary: {
      ...s,
      thresholds: [
        { threshold: 'all: p99 < 1s', observed: 1, shown: '1 ms', pass: true },
        { threshold: 'all: failed < 3', observed: 0, shown: '0', pass: true },
      ],
    },
  };
  t.same(
    thresholdsOfSummaries([a, b]).map((x) => x.source),
    ['all: p99 < 1s', 'all: failed < 3'],
  );
  const broken = {
    file: 'c.json',
    summary: { ...s, thresholds: [{ threshold: 'nonsense', observed: 1, shown: '', pass: true }] },
  };
  t.throws(() => thresholdsOfSummaries([broken]), { code: 'E_MERGE', message: /c\.json: threshold "nonsense"/ });
});

t.test('abort_on_fail thresholds are judged over a sliding window, once a full window has passed', async (t) => {
  const live = new LiveThresholds([{ threshold: threshold('all: failed_rate < 50%'), windowSeconds: 10 }]);
  const none = new Float64Array(0);
  t.equal(live.update(0, 0, 5, none), undefined, 'every request failed, but the window is not full');
  t.equal(live.update(5000, 100, 5, none), undefined);
  t.equal(live.update(10_000, 200, 5, none), undefined, '5 of 205 failed in the first window');
  t.equal(live.update(15_000, 210, 100, none), undefined, 'last 10 s: 110 ok, 95 failed');
  const failure = live.update(20_000, 210, 300, none);
  t.match(failure, { windowSeconds: 10, shown: '96.72%' }, 'last 10 s (from the 10 s mark): 10 ok, 295 failed');
  const latency = new LiveThresholds([{ threshold: threshold('all: p99 < 100ms'), windowSeconds: 1 }]);
  const slow = new Recorder();
  for (let i = 0; i < 100; i++) slow.recordSlot(slotOfMs(500), 500);
  t.equal(latency.update(0, 0, 0, none), undefined);
  t.match(latency.update(1500, 100, 0, slow.sparse()), { shown: /^50\d(\.\d+)? ms$/ });
});
