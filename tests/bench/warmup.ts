import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { runWarmup } from '../../actors/warmup-master.js';
import { generatedContent } from '../../lib/registry/content.js';
import { resolveEndpoint } from '../../lib/registry/endpoint.js';
import { startLocalRegistry } from '../../lib/registry/local.js';
import type { WarmupItem } from '../../lib/registry/warmup-plan.js';

/** The baseline: one blob at a time, generated, hashed, then POST + monolithic PUT with plain undici. */
async function sequentialPushes(origin: string, items: WarmupItem[]): Promise<void> {
  for (const item of items) {
    const body = Buffer.concat([...generatedContent(item.uri, item.size, true).chunks()]);
    const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
    const start = await request(`${origin}/v2/${item.repo}/blobs/uploads/`, { method: 'POST' });
    await start.body.dump();
    const location = new URL(String(start.headers.location), origin);
    location.searchParams.set('digest', digest);
    const put = await request(location, {
      method: 'PUT',
      body,
      headers: { 'content-type': 'application/octet-stream' },
    });
    await put.body.dump();
    if (put.statusCode !== 201) throw new Error(`baseline push: HTTP ${put.statusCode}`);
  }
}

function items(prefix: string, count: number, size: number): WarmupItem[] {
  return Array.from({ length: count }, (_, i) => ({
    uri: `v2/bench/${prefix}/blobs/${process.pid}-${i}`,
    repo: `bench/${prefix}`,
    size,
  }));
}

/**
 * `npm run bench -- warmup`: drtp warmup (8 pushes in flight over worker threads, random content)
 * against a plain sequential undici push loop, both pushing fresh random blobs to one local
 * docker-registry: blobs/s for 4 KiB blobs and MB/s for 64 MiB blobs.
 */
export async function runWarmupBench(): Promise<void> {
  const registry = await startLocalRegistry();
  const endpoint = resolveEndpoint(registry.host, '/');
  const output = join(tmpdir(), `drtp-bench-warmup-${process.pid}.json`);
  try {
    const cases = [
      { label: '4 KiB blobs', count: 600, size: 4096 },
      { label: '64 MiB blobs', count: 12, size: 64 * 1024 * 1024 },
    ];
    for (const c of cases) {
      let t0 = performance.now();
      await sequentialPushes(registry.url, items(`base${c.size}`, c.count, c.size));
      const baseline = (performance.now() - t0) / 1000;
      t0 = performance.now();
      const summary = await runWarmup({
        registries: [endpoint],
        items: items(`drtp${c.size}`, c.count, c.size),
        map: new Map(),
        output,
        threads: 8,
        random: true,
      });
      const drtp = (performance.now() - t0) / 1000;
      if (summary.failed > 0)
        throw new Error(`warmup bench: ${summary.failed} pushes failed: ${summary.failures.join('; ')}`);
      const unit = c.size < 1e6 ? 'blobs/s' : 'MB/s';
      const rate = (seconds: number): number => (c.size < 1e6 ? c.count / seconds : (c.count * c.size) / 1e6 / seconds);
      process.stdout.write(
        `${c.label.padEnd(14)} baseline (sequential undici) ${rate(baseline).toFixed(1).padStart(7)} ${unit}   drtp warmup ${rate(drtp).toFixed(1).padStart(7)} ${unit}   ratio ${(baseline / drtp).toFixed(2)}x\n`,
      );
    }
  } finally {
    await registry.stop();
    await rm(output, { force: true });
  }
}
