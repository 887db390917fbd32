import type { Failure, Segment } from '../contract/replay.js';

/**
 * Finished requests waiting to be recorded and written, as columns. The engine counts a request the
 * moment it finishes but records its histograms and formats its result row with the rest of a batch:
 * at a registry's pace every answer arrives in a wakeup of its own, and handling one request at a time
 * found the histograms, the row's pieces and the code itself evicted from the caches by the registry
 * and the kernel each time. A batch keeps them warm; it costs a few stores per request.
 */
export class CompletionBatch {
  length = 0;
  readonly segment: (Segment | undefined)[];
  /** Index in `segment`. */
  readonly index: Uint32Array;
  /** Engine row. */
  readonly row: Float64Array;
  /** Sent and done, ms after the replay's start. */
  readonly sentMs: Float64Array;
  readonly doneMs: Float64Array;
  /** Time to first byte, ms (the service time when unknown). */
  readonly ttfbMs: Float64Array;
  readonly status: Uint16Array;
  readonly bytes: Float64Array;
  readonly failure: (Failure | null)[];
  /** Time held behind the client's own requests in flight, ms. */
  readonly queuedMs: Float64Array;

  constructor(readonly capacity: number) {
    this.segment = new Array<Segment | undefined>(capacity).fill(undefined);
    this.index = new Uint32Array(capacity);
    this.row = new Float64Array(capacity);
    this.sentMs = new Float64Array(capacity);
    this.doneMs = new Float64Array(capacity);
    this.ttfbMs = new Float64Array(capacity);
    this.status = new Uint16Array(capacity);
    this.bytes = new Float64Array(capacity);
    this.failure = new Array<Failure | null>(capacity).fill(null);
    this.queuedMs = new Float64Array(capacity);
  }

  /** Adds a finished request; true when the batch is now full. */
  add(
    segment: Segment,
    index: number,
    row: number,
    sentMs: number,
    doneMs: number,
    ttfbMs: number,
    status: number,
    bytes: number,
    failure: Failure | null,
    queuedMs = 0,
  ): boolean {
    const k = this.length++;
    this.segment[k] = segment;
    this.index[k] = index;
    this.row[k] = row;
    this.sentMs[k] = sentMs;
    this.doneMs[k] = doneMs;
    this.ttfbMs[k] = ttfbMs;
    this.status[k] = status;
    this.bytes[k] = bytes;
    this.failure[k] = failure;
    this.queuedMs[k] = queuedMs;
    return this.length === this.capacity;
  }

  /** Empties the batch, letting go of the segments it held. */
  clear(): void {
    this.segment.fill(undefined, 0, this.length);
    this.length = 0;
  }
}
