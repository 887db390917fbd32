/**
 * One cold measurement, in a fresh process as a run has it: the CPU to record 100,000 requests' latency,
 * service time and time to first byte into Recorders (the baseline), then to build the run summary
 * from them (`buildSummary`: percentiles and encodings of every histogram, with hdr-histogram-js).
 * Prints `<record ms> <summary ms>`.
 */
import { Random } from '../../lib/trace/random.js';
import { Recorder, slotOfMs } from '../../lib/stats/recorder.js';
import { buildSummary } from '../../lib/stats/summary.js';
import { OP_NAMES, SIZE_CLASS_NAMES } from '../../lib/contract/ops.js';
import type { EngineReport } from '../../lib/contract/replay.js';

const REQUESTS = 100_000;
const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

const rng = new Random(7);
const recorders = new Map<string, Recorder>();
const at = (name: string): Recorder =>
  recorders.get(name) ?? (recorders.set(name, new Recorder()).get(name) as Recorder);
const t0 = cpuMs();
for (let i = 0; i < REQUESTS; i++) {
  const op = OP_NAMES[i % 10 < 6 ? 0 : i % 10 < 9 ? 1 : 2];
  const ms = Math.exp(rng.next() * 6) * 0.5;
  at(`${op}.latency`).recordSlot(slotOfMs(ms), ms);
  at(`${op}.service`).recordSlot(slotOfMs(ms * 0.8), ms * 0.8);
  at(`${op}.ttfb`).recordSlot(slotOfMs(ms * 0.3), ms * 0.3);
  at(`size:${SIZE_CLASS_NAMES[i % 4]}.latency`).recordSlot(slotOfMs(ms), ms);
}
const histograms: Record<string, Float64Array> = {};
for (const [name, r] of recorders) histograms[name] = r.sparse();
const t1 = cpuMs();
const sum = (key: string): Float64Array => {
  const all = new Recorder();
  for (const op of OP_NAMES) if (histograms[`${op}.${key}`] !== undefined) all.addSparse(histograms[`${op}.${key}`]);
  return all.sparse();
};
histograms['all.latency'] = sum('latency');
histograms['all.service'] = sum('service');
histograms['registry:0.latency'] = histograms['all.latency'].slice();
const ops = OP_NAMES.map((_, k) => (k < 3 ? [REQUESTS / 3, REQUESTS / 3, 0, 1e6] : [0, 0, 0, 0]));
const report: EngineReport = {
  sent: REQUESTS,
  ok: REQUESTS,
  failed: 0,
  late: 0,
  queued: 0,
  lateSent: 0,
  bytes: 1e9,
  ops,
  errors: {},
  histograms,
  firstSentMs: 0,
  lastDoneMs: 60_000,
};
const t2 = cpuMs();
buildSummary(report, {}, ['r'], {}, 0);
const t3 = cpuMs();
process.stdout.write(`${(t1 - t0).toFixed(1)} ${(t3 - t2).toFixed(1)}\n`);
