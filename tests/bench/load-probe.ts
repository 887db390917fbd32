/**
 * One load-generator measurement in its own process, so its CPU is its own:
 *   load-probe autocannon URL CONNECTIONS REQUESTS
 *   load-probe undici URL CONNECTIONS REQUESTS      (a bare undici `request` loop)
 *   load-probe dispatch URL CONNECTIONS REQUESTS    (a bare undici `dispatch` loop)
 *   load-probe drtp URL CONNECTIONS REQUESTS [wait-rate-per-second] [results-file]
 * Prints one JSON line: { requests, errors, seconds, cpuSeconds, maxRssBytes, tableBytes, lateness? }.
 */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { Client, Pool } from 'undici';
import { runReplay } from '../../actors/master.js';
import { resolveConfig } from '../../lib/config/load.js';
import { resolveEndpoint } from '../../lib/registry/endpoint.js';
import { TraceTableBuilder } from '../../lib/trace/builder.js';
import { Kind, Method } from '../../lib/trace/request.js';
import { bytesPerRequest } from '../../lib/trace/table.js';

const [tool, url, connectionsArg, requestsArg, rateArg, resultsArg] = process.argv.slice(2);
const connections = Number(connectionsArg);
const requests = Number(requestsArg);
const target = new URL(url);

function peakRss(): number {
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return match === null ? 0 : Number(match[1]) * 1024;
}

async function withAutocannon(): Promise<{ requests: number; errors: number }> {
  const result = await autocannon({ url, connections, amount: requests, pipelining: 1 });
  return { requests: result.requests.total, errors: result.errors + result.non2xx };
}

/** The bare baseline: `connections` loops of undici `request` on one pool, bodies counted and dropped. */
async function withUndici(): Promise<{ requests: number; errors: number }> {
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
}

/** The floor under drtp: `connections` loops of undici `dispatch` with a counting handler, one Client (connection) each. */
async function withDispatch(): Promise<{ requests: number; errors: number }> {
  let left = requests;
  let errors = 0;
  const options = { method: 'GET', path: `${target.pathname}${target.search}` } as const;
  const clients: Client[] = [];
  await Promise.all(
    Array.from({ length: connections }, () => {
      const client = new Client(target.origin);
      clients.push(client);
      return new Promise<void>((resolve) => {
        let status = 0;
        const handler = {
          onConnect(): void {},
          onHeaders(code: number): boolean {
            status = code;
            return true;
          },
          onData(): boolean {
            return true;
          },
          onComplete(): void {
            if (status !== 200) errors++;
            next();
          },
          onError(): void {
            errors++;
            next();
          },
        };
        const next = (): void => {
          if (left-- > 0) client.dispatch(options, handler as unknown as Parameters<Client['dispatch']>[1]);
          else resolve();
        };
        next();
      });
    }),
  );
  await Promise.all(clients.map((c) => c.close()));
  return { requests, errors };
}

/**
 * drtp's whole run path (master, client worker, engine, HTTP port, histograms, NDJSON result rows):
 * `connections` clients with one request in flight each, GETting the same blob; with a rate, an open
 * loop at that many requests per second, spread evenly over the clients.
 */
async function withDrtp(): Promise<{ requests: number; errors: number; tableBytes: number; lateness?: number[] }> {
  const repo = target.pathname.split('/blobs/')[0].replace(/^\/v2\//, '');
  const digest = target.pathname.split('/blobs/')[1];
  const uri = `v2/${repo}/blobs/bench`;
  const rate = rateArg === undefined || rateArg === '0' ? 0 : Number(rateArg);
  const builder = new TraceTableBuilder(requests);
  const t0 = Date.parse('2017-06-20T00:00:00.000Z');
  // Intern once, then add rows by id: the probe measures the replay, not building its trace.
  const repoId = builder.repos.internString(repo);
  const objectId = builder.objects.internString('bench');
  const clientIds = Array.from({ length: connections }, (_, c) => builder.clients.internString(`c${c}`));
  for (let i = 0; i < requests; i++) builder.addInterned(rate > 0 ? t0 + (i * 1000) / rate : t0, Method.GET, Kind.BLOB, repoId, objectId, clientIds[i % connections], 1, 0.01, 200);
  const table = builder.build();
  const output = resultsArg ?? join(tmpdir(), `drtp-load-probe-${process.pid}.ndjson`);
  const config = resolveConfig({ client_info: { wait: rate > 0, threads: 1, in_flight: 1 }, trace: { traces: ['bench'], output }, registry: [target.origin], warmup: { output: '/dev/null' } }, join(tmpdir(), 'bench.yaml'));
  const counts = { replayable: requests, otherMethod: 0, otherPath: 0, noSize: 0, failed: 0, beyondLimit: 0 };
  const trace = { table, stats: { files: [], records: requests, malformed: 0, malformedExamples: [] }, counts, methods: [Method.GET] };
  const outcome = await runReplay({ config, trace, map: new Map([[uri, digest]]), registries: [resolveEndpoint(target.origin, '/')] });
  const s = outcome.summary;
  return { requests: s.requests.ok + s.requests.failed, errors: s.requests.failed, tableBytes: requests * bytesPerRequest() };
}

const started = performance.now();
const before = process.cpuUsage();
const result = tool === 'autocannon' ? await withAutocannon() : tool === 'undici' ? await withUndici() : tool === 'dispatch' ? await withDispatch() : await withDrtp();
const seconds = (performance.now() - started) / 1000;
if (process.env.DRTP_BENCH_THREADS) {
  const { readdirSync } = await import('node:fs');
  for (const tid of readdirSync('/proc/self/task')) {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const ticks = Number(fields[11]) + Number(fields[12]);
    if (ticks > 0) process.stderr.write(`thread ${tid} ${name}: ${(ticks / 100).toFixed(2)} s\n`);
  }
}
const cpu = process.cpuUsage(before);
process.stdout.write(`${JSON.stringify({ ...result, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, maxRssBytes: peakRss() })}\n`);
