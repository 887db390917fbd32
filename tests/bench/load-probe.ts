/**
 * One load-generator measurement in its own process, so its CPU is its own:
 *   load-probe autocannon URL CONNECTIONS REQUESTS
 *   load-probe undici URL CONNECTIONS REQUESTS      (a bare undici `request` loop)
 *   load-probe dispatch URL CONNECTIONS REQUESTS    (a bare undici `dispatch` loop)
 *   load-probe dispatch-worker URL CONNECTIONS REQUESTS   (the same loop in a worker thread started for it)
 *   load-probe drtp URL CONNECTIONS REQUESTS [wait-rate-per-second] [results-file]
 *     (an https URL is taken with any certificate; DRTP_BENCH_PROTOCOL sets client_info.protocol and
 *     DRTP_BENCH_IN_FLIGHT client_info.in_flight, default 1)
 * Prints one JSON line: { requests, errors, seconds, cpuSeconds, mainCpuSeconds, maxRssBytes, tableBytes }
 * (mainCpuSeconds: the main thread's own, which for drtp is the master's). DRTP_BENCH_WORKERS sets
 * client_info.threads (default 1) and DRTP_BENCH_PROGRESS=1 asks for live progress, as a terminal does.
 * With DRTP_BENCH_THREADS set, also the measurement's CPU per thread on stderr (V8's helper threads,
 * which compile and collect, apart from the main thread; client workers are the remainder).
 *
 * Each tool loads only its own modules (before the measurement starts): a tool's heap is part of its
 * cost. A thread's garbage collector works harder the more code its heap holds (at 1 MiB bodies a
 * worker with all of undici loaded ran ~30 full collections per 1,000 responses, against 3 with only
 * its dispatchers), so a baseline sharing one isolate with every other tool's modules would be
 * measured slower than it is.
 */
import { once } from 'node:events';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';

const [tool, url, connectionsArg, requestsArg, rateArg, resultsArg] = process.argv.slice(2);
const connections = Number(connectionsArg);
const requests = Number(requestsArg);
const target = new URL(url);

function peakRss(): number {
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return match === null ? 0 : Number(match[1]) * 1024;
}

interface Outcome {
  requests: number;
  errors: number;
  tableBytes?: number;
}
type Run = () => Promise<Outcome>;

/** autocannon, driving `requests` GETs over `connections` connections. */
async function prepareAutocannon(): Promise<Run> {
  const { default: autocannon } = await import('autocannon');
  return async () => {
    const result = await autocannon({ url, connections, amount: requests, pipelining: 1 });
    return { requests: result.requests.total, errors: result.errors + result.non2xx };
  };
}

/** The bare baseline: `connections` loops of undici `request` on one pool, bodies counted and dropped. */
async function prepareUndici(): Promise<Run> {
  const { Pool } = await import('undici');
  return async () => {
    const pool = new Pool(target.origin, { connections });
    let left = requests;
    let errors = 0;
    const lane = async (): Promise<void> => {
      while (left-- > 0) {
        const res = await pool.request({ method: 'GET', path: `${target.pathname}${target.search}` });
        for await (const chunk of res.body) void chunk;
        if (res.statusCode !== 200) errors++;
      }
    };
    await Promise.all(Array.from({ length: connections }, lane));
    await pool.close();
    return { requests, errors };
  };
}

/** The bare dispatch loop on the main thread. */
async function prepareDispatch(): Promise<Run> {
  const { dispatchLoop } = await import('./dispatch-loop.js');
  return () => dispatchLoop(url, connections, requests);
}

/** The floor of drtp's shape: the dispatch loop in a worker thread started (and its undici loaded) for the run. */
async function prepareDispatchWorker(): Promise<Run> {
  return async () => {
    const worker = new Worker(new URL('./dispatch-worker.js', import.meta.url), {
      workerData: { url, connections, requests },
    });
    const [result] = (await once(worker, 'message')) as [Outcome];
    await once(worker, 'exit');
    return result;
  };
}

/**
 * drtp's whole run path (master, client worker, engine, HTTP port, histograms, NDJSON result rows):
 * `connections` clients with one request in flight each, GETting the same blob; with a rate, an open
 * loop at that many requests per second, spread evenly over the clients. The trace table is built
 * before the measurement starts: the probe measures the replay (plan, partition, workers, summary), as
 * the other tools are measured without a trace; reading traces has its own benchmark (`ingest`).
 */
async function prepareDrtp(): Promise<Run> {
  const [
    { runReplay },
    { resolveConfig },
    { resolveEndpoint },
    { withVersions },
    { TraceTableBuilder },
    { Kind, Method },
    { bytesPerRequest },
  ] = await Promise.all([
    import('../../actors/master.js'),
    import('../../lib/config/load.js'),
    import('../../lib/registry/endpoint.js'),
    import('../../lib/registry/protocol.js'),
    import('../../lib/trace/builder.js'),
    import('../../lib/trace/request.js'),
    import('../../lib/trace/table.js'),
  ]);
  const repo = target.pathname.split('/blobs/')[0].replace(/^\/v2\//, '');
  const digest = target.pathname.split('/blobs/')[1];
  const uri = `v2/${repo}/blobs/bench`;
  const rate = rateArg === undefined || rateArg === '0' ? 0 : Number(rateArg);
  // The traced size is the server's body, as warmup would have pushed it: a GET of another size fails.
  const { Agent, request } = await import('undici');
  const tls = target.protocol === 'https:';
  const sample = await request(url, tls ? { dispatcher: new Agent({ connect: { rejectUnauthorized: false } }) } : {});
  const bodyBytes = (await sample.body.arrayBuffer()).byteLength;
  const builder = new TraceTableBuilder(requests);
  const t0 = Date.parse('2017-06-20T00:00:00.000Z');
  const repoId = builder.repos.internString(repo);
  const objectId = builder.objects.internString('bench');
  const clientIds = Array.from({ length: connections }, (_, c) => builder.clients.internString(`c${c}`));
  for (let i = 0; i < requests; i++)
    builder.addInterned(
      rate > 0 ? t0 + (i * 1000) / rate : t0,
      Method.GET,
      Kind.BLOB,
      repoId,
      objectId,
      clientIds[i % connections],
      bodyBytes,
      0.01,
      200,
    );
  const table = builder.build();
  const output = resultsArg ?? join(tmpdir(), `drtp-load-probe-${process.pid}.ndjson`);
  const protocol = (process.env.DRTP_BENCH_PROTOCOL ?? 'auto') as 'auto' | 'h1' | 'h2';
  const config = resolveConfig(
    {
      client_info: {
        wait: rate > 0,
        threads: Number(process.env.DRTP_BENCH_WORKERS ?? 1),
        in_flight: Number(process.env.DRTP_BENCH_IN_FLIGHT ?? 1),
        protocol,
      },
      trace: { traces: ['bench'], output },
      registry: [target.origin],
      warmup: { output: '/dev/null' },
    },
    join(tmpdir(), 'bench.yaml'),
  );
  const counts = {
    replayable: requests,
    otherMethod: 0,
    otherPath: 0,
    invalidUri: 0,
    noSize: 0,
    failed: 0,
    beyondLimit: 0,
  };
  const trace = {
    table,
    stats: { files: [], records: requests, malformed: 0, malformedExamples: [], perFile: [] },
    counts,
    invalidUris: [],
    methods: [Method.GET],
  };
  const registries = await withVersions(
    [{ ...resolveEndpoint(target.origin, '/'), ...(tls ? { tls: { insecure: true } } : {}) }],
    protocol,
    5000,
  );
  return async () => {
    const outcome = await runReplay({
      config,
      trace,
      map: new Map([[uri, digest]]),
      registries,
      ...(process.env.DRTP_BENCH_PROGRESS === '1' ? { onProgress: () => undefined } : {}),
    });
    const s = outcome.summary;
    // Results nobody asked for are removed once measured (below): a full bench writes GBs of them.
    if (resultsArg === undefined) scratch.push(output, `${output}.summary.json`);
    return {
      requests: s.requests.ok + s.requests.failed,
      errors: s.requests.failed,
      tableBytes: requests * bytesPerRequest(),
    };
  };
}

/** The calling thread's CPU-seconds so far (the kernel's per-thread clock, in ns). */
function threadCpuSeconds(): number {
  return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e9;
}

/** CPU ticks (1/100 s) of every thread of this process, by thread id. */
function threadTicks(): Map<string, { name: string; ticks: number }> {
  const ticks = new Map<string, { name: string; ticks: number }>();
  for (const tid of readdirSync('/proc/self/task')) {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks.set(tid, {
      name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
      ticks: Number(fields[11]) + Number(fields[12]),
    });
  }
  return ticks;
}

/** Files the probe wrote for itself, removed after the measurement. */
const scratch: string[] = [];
const tools: Record<string, () => Promise<Run>> = {
  autocannon: prepareAutocannon,
  undici: prepareUndici,
  dispatch: prepareDispatch,
  'dispatch-worker': prepareDispatchWorker,
  drtp: prepareDrtp,
};
const prepare = tools[tool];
if (prepare === undefined) throw new Error(`unknown tool "${tool}"; tools: ${Object.keys(tools).join(', ')}`);
const chosen = await prepare();
const threadsBefore = process.env.DRTP_BENCH_THREADS ? threadTicks() : undefined;
const started = performance.now();
const before = process.cpuUsage();
const mainBefore = threadCpuSeconds();
const result = await chosen();
const mainCpuSeconds = threadCpuSeconds() - mainBefore;
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(before);
if (threadsBefore !== undefined) {
  // Per thread, within the measurement; threads that ended in it (client workers) are the remainder.
  let listed = 0;
  for (const [tid, { name, ticks }] of threadTicks()) {
    const delta = ticks - (threadsBefore.get(tid)?.ticks ?? 0);
    listed += delta;
    if (delta > 0) process.stderr.write(`thread ${tid} ${name}: ${(delta / 100).toFixed(2)} s\n`);
  }
  process.stderr.write(`ended threads: ${((cpu.user + cpu.system) / 1e6 - listed / 100).toFixed(2)} s\n`);
}
process.stdout.write(
  `${JSON.stringify({ ...result, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, mainCpuSeconds, maxRssBytes: peakRss() })}\n`,
);
for (const file of scratch) rmSync(file, { force: true });
