import t from 'tap';
import type { RegistryPort, Segment } from '../../../lib/contract/replay.js';
import { ReplayEngine, type EngineOptions } from '../../../lib/replay/engine.js';
import { Op, OP_NAMES, SIZE_CLASS_NAMES, sizeClass } from '../../../lib/contract/ops.js';
import { slotOfMs } from '../../../lib/stats/recorder.js';

/** A registry stand-in that answers each request after `delayMs` with its size: the engine's logic only. */
class DelayPort implements RegistryPort {
  inFlight = 0;
  maxInFlight = 0;
  started: number[] = [];
  constructor(private readonly delayMs: number) {}
  start(row: number, segment: Segment, index: number, engine: ReplayEngine): void {
    this.started.push(segment.rowId[index]);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const size = segment.size[index];
    setTimeout(() => {
      this.inFlight--;
      engine.complete(row, 200, size, null, engine.clock());
    }, this.delayMs);
  }
  async close(): Promise<void> {}
}

/** Rows `from..to` of a share: every actor in turn, `spacingMs` apart. */
function segment(from: number, to: number, actors: number, spacingMs: number): Segment {
  const n = to - from;
  const ids = Array.from({ length: n }, (_, k) => from + k);
  return {
    length: n,
    due: Float64Array.from(ids, (i) => i * spacingMs),
    op: new Uint8Array(n).fill(Op.GET_BLOB),
    size: Float64Array.from(ids, (i) => 100 + i),
    registry: new Uint8Array(n),
    actor: Uint32Array.from(ids, (i) => i % actors),
    target: new Uint32Array(n),
    repo: new Uint32Array(n),
    agent: new Uint32Array(n),
    rowId: Uint32Array.from(ids),
  };
}

/** An engine fed `total` rows in segments of `per`, each asked for through onNeedRows. */
function fed(
  port: RegistryPort,
  total: number,
  per: number,
  options: Partial<EngineOptions>,
  onComplete?: ConstructorParameters<typeof ReplayEngine>[2],
) {
  let next = 0;
  const segments: number[] = [];
  const feed = (): void => {
    if (next >= total) return engine.end();
    const to = Math.min(total, next + per);
    segments.push(to - next);
    const s = segment(next, to, options.actors ?? 1, (options as { spacing?: number }).spacing ?? 0);
    next = to;
    setImmediate(() => engine.append(s));
  };
  const engine: ReplayEngine = new ReplayEngine(
    port,
    {
      wait: false,
      inFlight: 3,
      lateMs: 10,
      actors: 1,
      registries: 1,
      startAt: performance.now(),
      lowWater: per / 2,
      onNeedRows: feed,
      ...options,
    },
    onComplete,
  );
  return { engine, segments };
}

t.test('closed loop over segments: every request once, each actor within its in-flight bound', async (t) => {
  const port = new DelayPort(1);
  const { engine, segments } = fed(port, 400, 64, { actors: 4 });
  const report = await engine.run();
  t.equal(report.sent, 400);
  t.equal(report.ok, 400);
  t.ok(segments.length >= 7, `the share came in ${segments.length} segments`);
  t.equal(
    report.bytes,
    Array.from({ length: 400 }, (_, i) => 100 + i).reduce((a, b) => a + b, 0),
    'bytes add up',
  );
  t.same(
    [...port.started].sort((a, b) => a - b),
    Array.from({ length: 400 }, (_, i) => i),
    'each row started exactly once',
  );
  t.ok(port.maxInFlight <= 12, `at most 4 actors x 3 in flight (${port.maxInFlight})`);
  t.ok(port.maxInFlight > 4, 'actors do overlap requests');
  t.same(report.ops[Op.GET_BLOB], [400, 400, 0, report.bytes]);
});

t.test('open loop over segments: nothing leaves before its due time; each actor keeps due order', async (t) => {
  const port = new DelayPort(1);
  const early: number[] = [];
  const { engine } = fed(
    port,
    90,
    20,
    { wait: true, actors: 3, spacing: 2, startAt: performance.now() + 5 } as Partial<EngineOptions>,
    (c) => {
      if (c.sentMs < c.dueMs) early.push(c.row);
    },
  );
  const report = await engine.run();
  t.equal(report.ok, 90);
  t.same(early, [], 'nothing sent early');
  for (let a = 0; a < 3; a++) {
    const own = port.started.filter((row) => row % 3 === a);
    t.same(
      own,
      [...own].sort((x, y) => x - y),
      `actor ${a} sends in due order`,
    );
  }
});

/** A DelayPort that stops its engine as it starts request number `at` (no wall-clock timer decides). */
class StopAtPort extends DelayPort {
  constructor(private readonly at: number) {
    super(1);
  }
  override start(row: number, segment: Segment, index: number, engine: ReplayEngine): void {
    super.start(row, segment, index, engine);
    if (this.started.length === this.at) engine.stop();
  }
}

t.test('stop(): no new requests, those in flight finish, the run resolves', async (t) => {
  const port = new StopAtPort(100);
  const { engine } = fed(port, 1000, 100, { wait: true, actors: 2, spacing: 1 } as Partial<EngineOptions>);
  const report = await engine.run();
  t.ok(report.sent >= 100 && report.sent < 1000, `stopped after ${report.sent}`);
  t.equal(port.started.length, report.sent, 'nothing started that was not counted');
  t.equal(report.ok + report.failed, report.sent, 'everything sent finished');
});

t.test('failures are counted by code; HTTP failures by status too', async (t) => {
  const port: RegistryPort = {
    start: (row, s, i, engine) =>
      setImmediate(() =>
        s.rowId[i] === 0
          ? engine.complete(row, 404, 0, null)
          : s.rowId[i] === 1
            ? engine.complete(row, 0, 0, { code: 'E_REGISTRY_CONNECT', message: 'refused' })
            : engine.complete(row, 200, 5, null),
      ),
    close: async () => {},
  };
  const engine = new ReplayEngine(port, {
    wait: false,
    inFlight: 1,
    lateMs: 10,
    actors: 1,
    registries: 1,
    startAt: performance.now(),
  });
  engine.append(segment(0, 3, 1, 0));
  engine.end();
  const report = await engine.run();
  t.same(report.errors, { 'E_REGISTRY_HTTP 404': 1, E_REGISTRY_CONNECT: 1 });
  t.equal(report.ok, 1);
  t.equal(report.failed, 2);
});

t.test('histograms: each class, size and registry counts its own requests; all requests are their sum', async (t) => {
  for (const registries of [1, 3]) {
    const ops = [Op.GET_BLOB, Op.GET_MANIFEST, Op.HEAD_BLOB];
    const n = 300;
    const s = segment(0, n, 5, 0);
    s.op = Uint8Array.from({ length: n }, (_, i) => ops[i % 3]);
    s.registry = Uint8Array.from({ length: n }, (_, i) => (i * 7) % registries);
    s.size = Float64Array.from({ length: n }, (_, i) => (i % 4 === 0 ? 5e6 : 1000));
    // Service times spread over several buckets, so that wrong slots would show.
    const port: RegistryPort = {
      start: (row, seg, i, engine) => setTimeout(() => engine.complete(row, 200, 1, null), seg.rowId[i] % 9),
      close: async () => {},
    };
    const latency = new Map<string, number[]>();
    const add = (name: string, ms: number): void =>
      void (latency.get(name) ?? latency.set(name, []).get(name))?.push(ms);
    const engine = new ReplayEngine(
      port,
      { wait: false, inFlight: 3, lateMs: 10, actors: 5, registries, startAt: performance.now() },
      (c) => {
        const ms = c.doneMs - c.sentMs;
        add('all', ms);
        add(OP_NAMES[c.segment.op[c.index]], ms);
        add(`registry:${c.segment.registry[c.index]}`, ms);
        add(`size:${SIZE_CLASS_NAMES[sizeClass(c.segment.size[c.index])]}`, ms);
      },
    );
    engine.append(s);
    engine.end();
    const report = await engine.run();
    // Closed loop: latency is service time, recorded exactly as the completions saw it.
    const slots = (values: number[]): Map<number, number> => {
      const counts = new Map<number, number>();
      for (const ms of values) counts.set(slotOfMs(ms), (counts.get(slotOfMs(ms)) ?? 0) + 1);
      return counts;
    };
    const recorded = (name: string): Map<number, number> => {
      const pairs = report.histograms[`${name}.latency`];
      const counts = new Map<number, number>();
      for (let k = 0; k < pairs.length; k += 2) counts.set(pairs[k], pairs[k + 1]);
      return counts;
    };
    t.equal(latency.get('all')?.length, n);
    for (const [name, values] of latency)
      t.same(recorded(name), slots(values), `${registries} registries: ${name}.latency`);
    t.same(report.histograms['all.service'], report.histograms['all.latency'], `${registries} registries: all.service`);
    t.equal(
      Object.keys(report.histograms).filter((k) => k.startsWith('registry:')).length,
      registries,
      'one histogram per registry',
    );
  }
});

t.test(
  'every histogram is its own array: one class, one size class, one registry taking every request hold the same counts',
  async (t) => {
    const n = 200;
    const s = segment(0, n, 4, 0);
    // Three registries, all requests to the second: its histogram is every request's, the others are empty.
    s.registry.fill(1);
    const port: RegistryPort = {
      start: (row, seg, i, engine) => setTimeout(() => engine.complete(row, 200, 1, null), seg.rowId[i] % 7),
      close: async () => {},
    };
    const service: number[] = [];
    const engine = new ReplayEngine(
      port,
      { wait: false, inFlight: 2, lateMs: 10, actors: 4, registries: 3, startAt: performance.now() },
      (c) => service.push(c.doneMs - c.sentMs),
    );
    engine.append(s);
    engine.end();
    const h = (await engine.run()).histograms;
    const all = h['all.latency'];
    const arrays = Object.values(h);
    t.equal(new Set(arrays).size, arrays.length, 'no two names share an array');
    t.same(h['GET blob.latency'], all, 'the only class: all.latency has its counts');
    t.same(h['all.service'], h['GET blob.service'], 'and all.service too');
    t.same(h['size:<1MB.latency'], all, 'the size class that took every request');
    t.same(h['registry:1.latency'], all, 'the registry that took every request');
    t.same(
      [h['registry:0.latency'].length, h['registry:2.latency'].length, h['size:1-10MB.latency'].length],
      [0, 0, 0],
      'the others are empty',
    );
    const counts = new Map<number, number>();
    for (const ms of service) counts.set(slotOfMs(ms), (counts.get(slotOfMs(ms)) ?? 0) + 1);
    const recorded = new Map<number, number>();
    for (let k = 0; k < all.length; k += 2) recorded.set(all[k], all[k + 1]);
    t.same(recorded, counts, 'all.latency holds every request, once');
  },
);

t.test(
  'a finished request reaches the live histograms and the sink by the next progress report, batch full or not',
  async (t) => {
    const n = 300;
    const seen: number[] = [];
    const progress: { done: number; interval: number; rows: number }[] = [];
    let done = 0;
    let engine: ReplayEngine;
    const port: RegistryPort = {
      start: (row, _s, _i, e) =>
        setImmediate(() => {
          e.complete(row, 200, 1, null);
          done++;
          // Progress at odd moments: mid-batch, and never aligned with the batch size.
          if (done % 37 === 0) {
            const pairs = engine.takeInterval();
            let interval = 0;
            for (let k = 1; k < pairs.length; k += 2) interval += pairs[k];
            progress.push({ done, interval, rows: seen.length });
          }
        }),
      close: async () => {},
    };
    engine = new ReplayEngine(
      port,
      { wait: false, inFlight: 2, lateMs: 10, actors: 3, registries: 1, startAt: performance.now(), liveLatency: true },
      (c) => seen.push(c.segment.rowId[c.index]),
    );
    engine.append(segment(0, n, 3, 0));
    engine.end();
    const report = await engine.run();
    t.ok(progress.length >= 8, `${progress.length} progress reports`);
    for (const [k, p] of progress.entries()) {
      t.equal(p.rows, p.done, `report ${k}: every finished request was handed to the sink`);
      t.equal(
        p.interval,
        p.done - (k === 0 ? 0 : progress[k - 1].done),
        `report ${k}: the interval holds exactly what finished since the last one`,
      );
    }
    t.same(
      [...seen].sort((a, b) => a - b),
      Array.from({ length: n }, (_, i) => i),
      'each request reached the sink once',
    );
    let recorded = 0;
    const all = report.histograms['all.latency'];
    for (let k = 1; k < all.length; k += 2) recorded += all[k];
    t.equal(recorded, n, 'and was recorded once');
  },
);

t.test('without live progress, no interval is kept; the run histograms are the same', async (t) => {
  const n = 200;
  const run = async (
    liveLatency: boolean,
  ): Promise<{ intervals: number; report: Awaited<ReturnType<ReplayEngine['run']>> }> => {
    let intervals = 0;
    let engine: ReplayEngine;
    let done = 0;
    const port: RegistryPort = {
      start: (row, _s, _i, e) =>
        setImmediate(() => {
          e.complete(row, 200, 1, null);
          if (++done % 50 === 0) intervals += engine.takeInterval().length;
        }),
      close: async () => {},
    };
    engine = new ReplayEngine(port, {
      wait: false,
      inFlight: 2,
      lateMs: 10,
      actors: 3,
      registries: 1,
      startAt: performance.now(),
      liveLatency,
    });
    engine.append(segment(0, n, 3, 0));
    engine.end();
    const report = await engine.run();
    return { intervals, report };
  };
  const quiet = await run(false);
  const live = await run(true);
  t.equal(quiet.intervals, 0, 'no interval counts without live progress');
  t.ok(live.intervals > 0, 'interval counts with it');
  const count = (a: Float64Array): number => a.reduce((sum, v, k) => (k % 2 === 1 ? sum + v : sum), 0);
  t.equal(count(quiet.report.histograms['all.latency']), n);
  t.same(Object.keys(quiet.report.histograms).sort(), Object.keys(live.report.histograms).sort());
});

t.test(
  "lateness by cause: a request held behind its own client's is queued, not late; the split adds up",
  async (t) => {
    // One client, one request in flight; row 0 is answered after 200 ms, the others at once.
    class HoldFirst implements RegistryPort {
      start(row: number, segment: Segment, index: number, engine: ReplayEngine): void {
        setTimeout(
          () => engine.complete(row, 200, segment.size[index], null, engine.clock()),
          segment.rowId[index] === 0 ? 200 : 0,
        );
      }
      async close(): Promise<void> {}
    }
    const rows: { id: number; dueMs: number; sentMs: number; queuedMs: number }[] = [];
    const seg = segment(0, 4, 1, 50); // due at 0, 50, 100, 150 ms
    const engine = new ReplayEngine(
      new HoldFirst(),
      { wait: true, inFlight: 1, lateMs: 10, actors: 1, registries: 1, startAt: performance.now() + 20 },
      (c) => rows.push({ id: c.segment.rowId[c.index], dueMs: c.dueMs, sentMs: c.sentMs, queuedMs: c.queuedMs }),
    );
    engine.append(seg);
    engine.end();
    const report = await engine.run();
    rows.sort((a, b) => a.id - b.id);
    t.equal(rows[0].queuedMs, 0, 'sent on time with room: not queued');
    // Rows 1-3 fell due while row 0 held the client's one slot: each waited until it was answered (~200 ms).
    for (const r of rows.slice(1)) {
      t.ok(
        r.queuedMs > 0 && r.queuedMs <= r.sentMs - r.dueMs + 1e-9,
        `row ${r.id}: queued ${r.queuedMs.toFixed(1)} ms of the ${(r.sentMs - r.dueMs).toFixed(1)} it was sent after due`,
      );
      t.ok(r.sentMs >= 195, `row ${r.id}: not sent before row 0 was answered`);
    }
    t.ok(
      Math.abs(rows[1].queuedMs - (rows[1].sentMs - rows[1].dueMs)) < 5,
      'the wait behind the slow request is all queueing: the generator kept time',
    );
    t.equal(report.queued, rows.filter((r) => r.queuedMs > 0).length, 'the report counts the rows held');
    const lags = rows.map((r) => r.sentMs - r.dueMs - r.queuedMs);
    t.ok(
      lags.every((lag) => lag >= -1e-9),
      "the generator's lag is never negative",
    );
    t.equal(report.late, lags.filter((lag) => lag > 10).length, "late counts the generator's lag only");
    t.equal(
      report.lateSent,
      rows.filter((r) => r.sentMs - r.dueMs > 10).length,
      "the original's late counts every late send",
    );
    t.ok(
      report.lateSent >= 3 && report.late === 0,
      `the held rows were sent late (${report.lateSent}), none by the generator's fault`,
    );
  },
);
