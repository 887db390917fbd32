import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { packageRoot } from '../../lib/paths.js';
import { RegistryClient } from '../../lib/registry/client.js';
import { generatedContent } from '../../lib/registry/content.js';
import { resolveEndpoint } from '../../lib/registry/endpoint.js';
import { startLocalRegistry } from '../../lib/registry/local.js';

const run = promisify(execFile);

interface Probe {
  requests: number;
  errors: number;
  seconds: number;
  cpuSeconds: number;
  maxRssBytes: number;
  tableBytes?: number;
}

const bench = (file: string): string => join(packageRoot(), 'dist/tests/bench', file);

async function probe(tool: string, url: string, connections: number, requests: number, ...extra: string[]): Promise<Probe> {
  const { stdout } = await run(process.execPath, [bench('load-probe.js'), tool, url, String(connections), String(requests), ...extra], { maxBuffer: 1 << 20 });
  const result = JSON.parse(stdout.trim().split('\n').pop() as string) as Probe;
  if (result.errors > 0) throw new Error(`${tool}: ${result.errors} of ${result.requests} requests failed`);
  return result;
}

async function trivialServer(bodyBytes: number): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [bench('trivial-server.js'), String(bodyBytes)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve) => child.stdout?.once('data', (d: Buffer) => resolve(d.toString().trim())));
  return { url: `http://127.0.0.1:${port}/v2/bench/repo/blobs/sha256:${'0'.repeat(64)}`, child };
}

const line = (label: string, p: Probe): string =>
  `  ${label.padEnd(12)} ${(p.requests / p.seconds).toFixed(0).padStart(7)} req/s  ${((p.cpuSeconds / p.requests) * 1e6).toFixed(0).padStart(6)} µs CPU/req  ${(p.requests / p.cpuSeconds).toFixed(0).padStart(7)} req/CPU-s`;

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/**
 * `npm run bench -- run [memoryRequests]`: the load generator's efficiency against autocannon (and a
 * bare undici loop), against a trivial loopback server and against docker-registry; send lateness of an
 * open-loop replay at 2,000 requests/s from 1,000 clients; and peak memory of a long replay.
 */
export async function runRunBench(args: string[]): Promise<void> {
  const memoryRequests = Number(args[0] ?? 5_000_000);
  const out = (s: string): boolean => process.stdout.write(`${s}\n`);

  out('(b) trivial loopback server, 1 KiB bodies, 64 connections: 50,000 and 200,000 GETs');
  const trivial = await trivialServer(1024);
  try {
    const tools = ['autocannon', 'undici', 'drtp'] as const;
    const steady: Record<string, number> = {};
    for (const tool of tools) {
      const small = await probe(tool, trivial.url, 64, 50_000);
      const large = await probe(tool, trivial.url, 64, 200_000);
      // Steady state: the CPU of the extra 150,000 requests, without start-up (isolates, modules, plan).
      steady[tool] = (large.requests - small.requests) / (large.cpuSeconds - small.cpuSeconds);
      out(line(tool === 'drtp' ? 'drtp run' : tool === 'undici' ? 'undici loop' : tool, large) + `   steady state ${steady[tool].toFixed(0).padStart(7)} req/CPU-s, start-up ${Math.max(0, small.cpuSeconds - 50_000 / steady[tool]).toFixed(2)} CPU-s`);
    }
    out(`  drtp / autocannon requests per CPU-second, steady state: ${(steady.drtp / steady.autocannon).toFixed(2)}x (target >= 0.8x)`);

    out('\ntiming: open loop at 2,000 requests/s from 1,000 clients, 20,000 requests, trivial server');
    const results = join(tmpdir(), `drtp-bench-lateness-${process.pid}.ndjson`);
    await probe('drtp', trivial.url, 1000, 20_000, '2000', results);
    const rows = readFileSync(results, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { sentMs: number; dueMs: number });
    const late = Float64Array.from(rows, (r) => r.sentMs - r.dueMs).sort();
    out(`  send lateness (sent - due): p50 ${percentile(late, 50).toFixed(3)} ms, p99 ${percentile(late, 99).toFixed(3)} ms, max ${late[late.length - 1].toFixed(3)} ms (targets: p99 < 2 ms, max < 20 ms)`);
    rmSync(results, { force: true });
    rmSync(`${results}.summary.json`, { force: true });

    out(`\nmemory: ${memoryRequests.toLocaleString('en-US')} requests as fast as possible, trivial server`);
    const mem = await probe('drtp', trivial.url, 64, memoryRequests);
    out(`  peak RSS ${(mem.maxRssBytes / 1e6).toFixed(0)} MB, trace table ${((mem.tableBytes ?? 0) / 1e6).toFixed(0)} MB, beyond the table ${((mem.maxRssBytes - (mem.tableBytes ?? 0)) / 1e6).toFixed(0)} MB (target < 300 MB); ${(mem.requests / mem.seconds).toFixed(0)} req/s`);
  } finally {
    trivial.child.kill('SIGTERM');
  }

  out('\n(a) docker-registry, 64 connections, GETs of one blob');
  const registry = await startLocalRegistry();
  try {
    const client = new RegistryClient(resolveEndpoint(registry.host, '/'));
    for (const [label, size, count] of [['1 KiB', 1024, 10_000], ['64 KiB', 65_536, 5_000], ['1 MiB', 1 << 20, 1_000]] as const) {
      const digest = await client.pushBlob('bench/repo', generatedContent(`bench-${size}`, size, true));
      const url = `${registry.url}/v2/bench/repo/blobs/${digest}`;
      out(` ${label} blobs, ${count.toLocaleString('en-US')} GETs`);
      const ac = await probe('autocannon', url, 64, count);
      const un = await probe('undici', url, 64, count);
      const dr = await probe('drtp', url, 64, count);
      out(line('autocannon', ac));
      out(line('undici loop', un));
      out(line('drtp run', dr));
      out(`  drtp CPU per request: ${(dr.cpuSeconds / dr.requests / (ac.cpuSeconds / ac.requests)).toFixed(2)}x autocannon's, ${(dr.cpuSeconds / dr.requests / (un.cpuSeconds / un.requests)).toFixed(2)}x the undici loop's`);
    }
    await client.close();
  } finally {
    await registry.stop();
  }
}
