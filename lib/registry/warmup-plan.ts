import { Kind, Method, type MethodCode } from '../trace/request.js';
import type { TraceTable } from '../trace/table.js';

/** One blob warmup pushes: the trace URI, the repository it goes to, and the traced size. */
export interface WarmupItem {
  uri: string;
  repo: string;
  size: number;
  /** A manifest URI (pushed as a blob, or as an image manifest with `warmup.manifests: image`). */
  manifest?: boolean;
}

/**
 * The distinct URIs a replay will read (GET, and HEAD when it is replayed), first traced size winning,
 * in trace order. Manifests are included: by default they are pushed and fetched as blobs, as the
 * original player did, since the traces anonymized their content.
 */
export function warmupItems(
  table: TraceTable,
  methods: readonly MethodCode[] = [Method.GET, Method.PUT],
): WarmupItem[] {
  const reads = methods.filter((m) => m === Method.GET || m === Method.HEAD);
  let mask = 0;
  for (const m of reads) mask |= 1 << m;
  const { method, kind, size } = table.columns;
  const seen = new Set<string>();
  const items: WarmupItem[] = [];
  for (let i = 0; i < table.length; i++) {
    if ((mask & (1 << method[i])) === 0 || kind[i] === Kind.OTHER) continue;
    const uri = table.uri(i);
    if (seen.has(uri)) continue;
    seen.add(uri);
    items.push({
      uri,
      repo: table.request(i).repo,
      size: size[i],
      ...(kind[i] === Kind.MANIFEST ? { manifest: true } : {}),
    });
  }
  return items;
}

/**
 * Splits items over `workers` shares of about equal bytes (largest first, each to the lightest share),
 * so one worker does not end up with all the large layers.
 */
export function shareItems(items: readonly WarmupItem[], workers: number): WarmupItem[][] {
  const shares: WarmupItem[][] = Array.from({ length: Math.max(1, workers) }, () => []);
  const load = new Float64Array(shares.length);
  const order = items.map((_, i) => i).sort((a, b) => items[b].size - items[a].size || a - b);
  for (const i of order) {
    let lightest = 0;
    for (let w = 1; w < shares.length; w++) if (load[w] < load[lightest]) lightest = w;
    shares[lightest].push(items[i]);
    load[lightest] += items[i].size + 4096; // per-blob overhead, so many small blobs spread too
  }
  return shares.filter((s) => s.length > 0);
}
