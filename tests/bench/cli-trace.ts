/**
 * The files a user replays with `drtp run`, for the generator benchmarks: a JSON trace in the IBM
 * layout (one record a line, a traced User-Agent in each) of `requests` 1 KiB blob GETs from
 * `clients` clients over 1,000 layers, the warmup map of those layers and a configuration that replays
 * it as fast as possible against `host`, one request in flight per client on one worker.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const LAYERS = 1000;
const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');

/** Writes the trace, the map and its configuration into `dir`; returns the configuration's path. */
export function writeCliTrace(dir: string, requests: number, clients: number, host: string): string {
  const t0 = Date.parse('2017-06-20T00:00:00.000Z');
  const lines: string[] = [];
  for (let i = 0; i < requests; i++)
    lines.push(
      `  {"host":"b372b8a0","http.request.duration":0.01,"http.request.method":"GET","http.request.remoteaddr":"${hex(0x1000 + (i % clients), 8)}","http.request.uri":"v2/bench/repo/blobs/${hex(i % LAYERS, 8)}","http.request.useragent":"UpstreamClient(Docker-Client/1.12.6 \\\\(linux\\\\))","http.response.status":200,"http.response.written":1024,"id":"${hex(i, 10)}","timestamp":"${new Date(t0 + Math.floor(i / 10)).toISOString()}"}`,
    );
  const trace = `trace-${requests}.json`;
  writeFileSync(join(dir, trace), `[\n${lines.join(',\n')}\n]\n`);
  const map: Record<string, string> = {};
  for (let l = 0; l < LAYERS; l++) map[`v2/bench/repo/blobs/${hex(l, 8)}`] = `sha256:${hex(l, 64)}`;
  writeFileSync(join(dir, 'interm.json'), JSON.stringify(map));
  return writeCliConfig(dir, trace, host);
}

/** A configuration in `dir` replaying `trace` (a file in `dir`) as fast as possible against `host`. */
export function writeCliConfig(dir: string, trace: string, host: string): string {
  const config = join(dir, `run-${trace}.yaml`);
  writeFileSync(
    config,
    [
      'client_info: {threads: 1, wait: false, in_flight: 1}',
      `trace: {location: ., traces: [${trace}], output: out-${trace}.ndjson}`,
      `registry: [${host}]`,
      'warmup: {output: interm.json}',
      '',
    ].join('\n'),
  );
  return config;
}
