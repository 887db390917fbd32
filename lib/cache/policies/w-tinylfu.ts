/**
 * W-TinyLFU (Einziger, Friedman and Manes, ACM ToS 2017), as Caffeine lays it out: new layers enter a
 * small window LRU (`window_ratio` of the bytes, 0.01); the rest is a segmented LRU, probation and
 * protected (`protected_ratio` of it, 0.8), where a hit in probation promotes to protected and protected's
 * overflow falls back to probation. Layers pushed out of the window are candidates at probation's newest
 * end; when room is needed, each candidate meets probation's least recent layer, and the one a count-min
 * sketch of recent requests (FrequencySketch) estimates as less frequent is evicted; on a tie the
 * candidate goes. Unlike Caffeine, the window does not adapt its size and there is no random admission
 * of warm candidates: a replay is deterministic. Params: `capacity_gb`, `window_ratio`,
 * `protected_ratio`, `admit_max_mb`. Reference: the paper's Figure 4; Caffeine `BoundedLocalCache`.
 */
import { Kind } from '../../trace/request.js';
import type { TraceTable } from '../../trace/table.js';
import { FrequencySketch } from '../frequency-sketch.js';
import { IdList, layerCache, type EvictionPolicy } from '../layer-cache.js';
import { numberArg, type ModelFactory } from '../model.js';

const WINDOW = 1;
const PROBATION = 2;
const PROTECTED = 3;

class WTinyLfu implements EvictionPolicy {
  private readonly window: IdList;
  private readonly probation: IdList;
  private readonly protected: IdList;
  private readonly where: Uint8Array;
  private readonly sizes: Float64Array;
  private readonly sketch: FrequencySketch;
  /** Layers moved out of the window for the miss under way, most recent last: each meets one victim. */
  private readonly candidates: Int32Array;
  private candidateCount = 0;
  private windowBytes = 0;
  private protectedBytes = 0;

  constructor(
    objects: number,
    expectedEntries: number,
    private readonly windowCapacity: number,
    private readonly protectedCapacity: number,
  ) {
    this.window = new IdList(objects);
    this.probation = new IdList(objects);
    this.protected = new IdList(objects);
    this.where = new Uint8Array(objects);
    this.sizes = new Float64Array(objects);
    this.sketch = new FrequencySketch(expectedEntries);
    this.candidates = new Int32Array(objects);
  }

  hit(layer: number): void {
    this.sketch.increment(layer);
    const where = this.where[layer];
    if (where === WINDOW) this.window.moveToBack(layer);
    else if (where === PROTECTED) this.protected.moveToBack(layer);
    else {
      this.probation.remove(layer);
      this.where[layer] = PROTECTED;
      this.protected.pushBack(layer);
      this.protectedBytes += this.sizes[layer];
      while (this.protectedBytes > this.protectedCapacity && this.protected.head !== layer) {
        const demoted = this.protected.head;
        this.protected.remove(demoted);
        this.protectedBytes -= this.sizes[demoted];
        this.where[demoted] = PROBATION;
        this.probation.pushBack(demoted);
      }
    }
  }

  /** Before room is made for `layer`: the window's overflow, once `layer` is in it, becomes candidates. */
  missed(layer: number, _row: number, bytes: number): void {
    this.sketch.increment(layer);
    while (this.windowBytes + bytes > this.windowCapacity && this.window.head >= 0) {
      const out = this.window.head;
      this.window.remove(out);
      this.windowBytes -= this.sizes[out];
      this.where[out] = PROBATION;
      this.probation.pushBack(out);
      this.candidates[this.candidateCount++] = out;
    }
  }

  inserted(layer: number, _row: number, bytes: number): void {
    // Candidates that met no victim stay in probation as any other layer.
    this.candidateCount = 0;
    this.sizes[layer] = bytes;
    this.where[layer] = WINDOW;
    this.window.pushBack(layer);
    this.windowBytes += bytes;
  }

  victim(): number {
    const victim =
      this.probation.head >= 0
        ? this.probation.head
        : this.protected.head >= 0
          ? this.protected.head
          : this.window.head;
    if (this.candidateCount === 0) return victim;
    const candidate = this.candidates[--this.candidateCount];
    if (candidate === victim) return candidate;
    return this.sketch.frequency(candidate) > this.sketch.frequency(victim) ? victim : candidate;
  }

  removed(layer: number): void {
    const where = this.where[layer];
    if (where === WINDOW) {
      this.window.remove(layer);
      this.windowBytes -= this.sizes[layer];
    } else if (where === PROBATION) this.probation.remove(layer);
    else {
      this.protected.remove(layer);
      this.protectedBytes -= this.sizes[layer];
    }
    this.where[layer] = 0;
  }
}

/** The mean size of the trace's distinct layers: how many fit sizes the sketch. */
function meanLayerBytes(table: TraceTable): number {
  const seen = new Uint8Array(table.pools.objects.size);
  const { kind, object, size } = table.columns;
  let bytes = 0;
  let layers = 0;
  for (let i = 0; i < table.length; i++) {
    if (kind[i] !== Kind.BLOB || seen[object[i]] === 1 || size[i] <= 0) continue;
    seen[object[i]] = 1;
    bytes += size[i];
    layers++;
  }
  return layers === 0 ? 1 : bytes / layers;
}

export const wTinyLfu: ModelFactory = (table, args) => {
  const windowRatio = numberArg(args, 'window_ratio', 0.01, 'w-tinylfu');
  const protectedRatio = numberArg(args, 'protected_ratio', 0.8, 'w-tinylfu');
  return layerCache(table, args, 'w-tinylfu', (capacity) => {
    const entries = capacity / meanLayerBytes(table);
    return new WTinyLfu(
      table.pools.objects.size,
      entries,
      capacity * windowRatio,
      capacity * (1 - windowRatio) * protectedRatio,
    );
  });
};
