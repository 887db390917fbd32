import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { runPythonModel } from '../../lib/simulation/python-model.js';
import { packageRoot } from '../../lib/paths.js';
import { selectRequests } from '../../lib/trace/select.js';
import { loadTrace } from '../../lib/trace/load.js';
import { Method } from '../../lib/trace/request.js';
import { writeSynthTrace } from '../../lib/trace/synth-files.js';

/** The original master.py's get_requests, in Python 3 (its print statements aside): what it cost to build the list. */
const ORIGINAL = String.raw`
import sys, json, datetime, time
started = time.time()
ret = []
for filename in sys.argv[1:]:
    with open(filename, 'r') as f:
        requests = json.load(f)
    for request in requests:
        method = request['http.request.method']
        uri = request['http.request.uri']
        if (('GET' == method) or ('PUT' == method)) and (('manifest' in uri) or ('blobs' in uri)):
            size = request['http.response.written']
            if size > 0:
                timestamp = datetime.datetime.strptime(request['timestamp'], '%Y-%m-%dT%H:%M:%S.%fZ')
                ret.append({'delay': timestamp, 'uri': uri, 'size': size, 'method': method,
                            'duration': request['http.request.duration'], 'client': request['http.request.remoteaddr']})
ret.sort(key=lambda x: x['delay'])
begin = ret[0]['delay']
for r in ret:
    r['delay'] = (r['delay'] - begin).total_seconds()
print(len(ret))
`;

const TRIVIAL = 'def init(requests, args=None):\n    return len(requests)\n';

/**
 * `npm run bench -- python-model [REQUESTS]`: a 1M-request synthetic trace handed to a trivial Python
 * model (drtp's harness: the table's rows streamed as column chunks, the original's dicts built in
 * Python), against the original's own cost of building that list (json.load of the same files, its
 * filter, strptime and sort, in Python), both measured here, wall time, interpreter start included.
 */
export async function runPythonModelBench(args: string[]): Promise<void> {
  const requests = Number(args[0] ?? 1_000_000);
  const dir = join(packageRoot(), 'bench-data', `python-${requests}`);
  if (!existsSync(join(dir, 'done'))) {
    mkdirSync(dir, { recursive: true });
    await writeSynthTrace(dir, { requests, seed: 28, files: 4 });
    writeFileSync(join(dir, 'done'), '');
  }
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => join(dir, f));
  const model = join(dir, 'trivial.py');
  writeFileSync(model, TRIVIAL);
  const out = (s: string): boolean => process.stdout.write(`${s}\n`);
  const { table } = await loadTrace(files);
  const selected = selectRequests(table, { methods: [Method.GET, Method.PUT], includeFailed: true }).table;
  for (let round = 1; round <= 2; round++) {
    let started = performance.now();
    const original = Number(
      execFileSync('python3', ['-c', ORIGINAL, ...files], { maxBuffer: 1 << 20 })
        .toString()
        .trim(),
    );
    const originalSeconds = (performance.now() - started) / 1000;
    started = performance.now();
    const handed = await runPythonModel(model, selected, undefined);
    const drtpSeconds = (performance.now() - started) / 1000;
    out(
      `round ${round}: the original builds its list of ${original.toLocaleString('en-US')} in ${originalSeconds.toFixed(2)} s; drtp hands ${String(handed)} to a Python model in ${drtpSeconds.toFixed(2)} s: ${(originalSeconds / drtpSeconds).toFixed(2)}x faster (target > 1x)`,
    );
  }
}
