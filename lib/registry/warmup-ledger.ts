import type { ErrorData } from '../errors.js';
import { isPushed, type DigestMap } from './digest-map.js';
import type { ImageLayer } from './image-manifest.js';
import type { WarmupItem } from './warmup-plan.js';

/** What a layer was pushed as: an archive (its diff_id, for image configs) or plain content. */
export interface LayerShape {
  archive: boolean;
  diffId: string;
}

/** One blob done, as a warmup worker reports it. */
export type WarmupReport =
  | { type: 'pushed'; uri: string; digest: string; bytes: number; registry: string; layer?: LayerShape }
  | { type: 'present'; uri: string; digest: string; registry: string; layer?: LayerShape }
  | { type: 'failed'; uri: string; error: ErrorData; registry: string };

/** Images hold at most this many layers of their repository. */
const MAX_IMAGE_LAYERS = 100;

/**
 * The URI -> digest map as warmup reports come in, by its rules: a digest an earlier warmup recorded
 * survives a failed check or push (a dead registry must not erase a good map); otherwise a URI that
 * failed on any registry stays failed, since the run needs it on every one. Pure: no I/O.
 */
export class WarmupLedger {
  /** The digests an earlier warmup recorded (workers need not push them again). */
  readonly known: Record<string, string> = {};
  /** With `manifests: image`: what each layer was pushed as. */
  readonly shapes = new Map<string, LayerShape>();
  /** Of the failed, those whose earlier digest the map keeps. */
  kept = 0;
  /** The first few failures, `uri: code: message`. */
  readonly failures: string[] = [];
  /** Changed since the last `written()`. */
  dirty = false;
  private readonly failedNow = new Set<string>();

  constructor(readonly map: DigestMap) {
    for (const [uri, entry] of map) if (isPushed(entry)) this.known[uri] = entry;
  }

  record(report: WarmupReport): void {
    if (report.type !== 'failed' && report.layer !== undefined) this.shapes.set(report.uri, report.layer);
    if (report.type === 'failed') {
      const reason = `${report.error.code}: ${report.error.message}`;
      const earlier = this.known[report.uri];
      if (earlier !== undefined && this.map.get(report.uri) === earlier) {
        if (!this.failedNow.has(report.uri)) this.kept++;
      } else this.map.set(report.uri, { failed: reason });
      this.failedNow.add(report.uri);
      if (this.failures.length < 10)
        this.failures.push(`${report.uri}: ${reason}${earlier === undefined ? '' : ` (the map keeps ${earlier})`}`);
    } else if (!this.failedNow.has(report.uri)) {
      this.map.set(report.uri, report.digest);
    }
    this.dirty = true;
  }

  /** Layers pushed as plain content, too small for any gzip-compressed tar. */
  notArchives(): number {
    return [...this.shapes.values()].filter((shape) => !shape.archive).length;
  }

  /** The layers of each repository's image: its blobs pushed as archives, in the items' order. */
  imageLayers(items: readonly WarmupItem[]): Map<string, ImageLayer[]> {
    const layersOf = new Map<string, ImageLayer[]>();
    for (const item of items) {
      const digest = this.map.get(item.uri);
      const shape = this.shapes.get(item.uri);
      if (item.manifest || !isPushed(digest) || shape === undefined || !shape.archive) continue;
      const list = layersOf.get(item.repo) ?? [];
      if (list.length < MAX_IMAGE_LAYERS) list.push({ digest, size: item.size, uri: item.uri, ...shape });
      layersOf.set(item.repo, list);
    }
    return layersOf;
  }
}
