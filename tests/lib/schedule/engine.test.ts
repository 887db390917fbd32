import t from 'tap';
import { ReplayEngine, type RegistryPort } from '../../../lib/schedule/engine.js';
import { Op } from '../../../lib/schedule/classes.js';

/** A registry stand-in that answers each request after `delayMs` with its size: the engine's logic only. */
class DelayPort implements RegistryPort {
  inFlight = 0;
  maxInFlight = 0;
  started: number[] = [];
  constructor(private readonly delayMs: number, private readonly sizes: Float64Array) {}
  start(row: number, engine: ReplayEngine): void {
    this.started.push(row);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    setTimeout(() => {
      this.inFlight--;
      engine.complete(row, 200, this.sizes[row], null, engine.clock());
    }, this.delayMs);
  }
  async close(): Promise<void> {}
}

function rows(n: number, actors: number, spacingMs: number) {
  return {
    length: n,
    due: Float64Array.from({ length: n }, (_, i) => i * spacingMs),
    op: new Uint8Array(n).fill(Op.GET_BLOB),
    size: Float64Array.from({ length: n }, (_, i) => 100 + i),
    registry: new Uint8Array(n),
    actor: Uint32Array.from({ length: n }, (_, i) => i % actors),
  };
}

t.test('closed loop: every request once, each actor within its in-flight bound', async (t) => {
  const r = rows(200, 4, 0);
  const port = new DelayPort(2, r.size);
  const engine = new ReplayEngine(r, port, { wait: false, inFlight: 3, lateMs: 10, actors: 4, registries: 1, startAt: performance.now() });
  const report = await engine.run();
  t.equal(report.sent, 200);
  t.equal(report.ok, 200);
  t.equal(report.bytes, r.size.reduce((a, b) => a + b, 0), 'bytes add up');
  t.same([...port.started].sort((a, b) => a - b), Array.from({ length: 200 }, (_, i) => i), 'each row started exactly once');
  t.ok(port.maxInFlight <= 12, `at most 4 actors x 3 in flight (${port.maxInFlight})`);
  t.ok(port.maxInFlight > 4, 'actors do overlap requests');
  t.same(report.ops[Op.GET_BLOB], [200, 200, 0, report.bytes]);
});

t.test('open loop: no request leaves before its due time; a client keeps due order', async (t) => {
  const r = rows(60, 3, 3);
  const port = new DelayPort(1, r.size);
  const sentOrder: number[] = [];
  const early: number[] = [];
  const engine = new ReplayEngine(r, port, { wait: true, inFlight: 3, lateMs: 50, actors: 3, registries: 1, startAt: performance.now() + 5 }, (c) => {
    sentOrder.push(c.row);
    if (c.sentMs < c.dueMs) early.push(c.row);
  });
  const report = await engine.run();
  t.equal(report.ok, 60);
  t.same(early, [], 'nothing sent early');
  for (let a = 0; a < 3; a++) {
    const own = port.started.filter((row) => row % 3 === a);
    t.same(own, [...own].sort((x, y) => x - y), `actor ${a} sends in due order`);
  }
});

t.test('stop(): no new requests, those in flight finish, the run resolves', async (t) => {
  const r = rows(1000, 2, 1);
  const port = new DelayPort(1, r.size);
  const engine = new ReplayEngine(r, port, { wait: true, inFlight: 3, lateMs: 10, actors: 2, registries: 1, startAt: performance.now() });
  setTimeout(() => engine.stop(), 50);
  const report = await engine.run();
  t.ok(report.sent > 0 && report.sent < 1000, `stopped after ${report.sent}`);
  t.equal(report.ok + report.failed, report.sent, 'everything sent finished');
});

t.test('failures are counted by code; HTTP failures by status too', async (t) => {
  const r = rows(3, 1, 0);
  const port: RegistryPort = {
    start: (row, engine) => setImmediate(() => (row === 0 ? engine.complete(row, 404, 0, 'E_REGISTRY_HTTP: HTTP 404') : row === 1 ? engine.complete(row, 0, 0, 'E_REGISTRY_CONNECT: refused') : engine.complete(row, 200, 5, null))),
    close: async () => {},
  };
  const report = await new ReplayEngine(r, port, { wait: false, inFlight: 1, lateMs: 10, actors: 1, registries: 1, startAt: performance.now() }).run();
  t.same(report.errors, { 'E_REGISTRY_HTTP 404': 1, E_REGISTRY_CONNECT: 1 });
  t.equal(report.ok, 1);
  t.equal(report.failed, 2);
});
