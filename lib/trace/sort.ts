/**
 * The permutation that puts `time` in ascending order, stable (equal times keep their input order, as
 * the original player's stable sort did), or null when it already is in order. LSD radix sort over
 * integer milliseconds (microseconds when times have fractions): linear in the number of requests, with no comparator calls.
 */
export function timeOrder(time: Float64Array): Uint32Array | null {
  const n = time.length;
  let sorted = true;
  let wholeMs = true;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const t = time[i];
    if (t < min) min = t;
    if (t > max) max = t;
    if (i > 0 && t < time[i - 1]) sorted = false;
    if (t !== Math.floor(t)) wholeMs = false;
  }
  if (sorted) return null;
  // Traces stamp milliseconds: then keys in ms need one radix pass fewer than microseconds.
  const scale = wholeMs ? 1 : 1000;
  // 4-byte keys when the span allows (49 days in ms): the keys are the sort's largest allocation.
  const keys = (max - min) * scale < 2 ** 32 ? new Uint32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) keys[i] = Math.round((time[i] - min) * scale);
  const maxKey = Math.round((max - min) * scale);
  let order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let spare = new Uint32Array(n);
  const counts = new Uint32Array(1 << 16);
  for (let shift = 1; shift <= maxKey; shift *= 1 << 16) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[Math.floor(keys[i] / shift) & 0xffff]++;
    let sum = 0;
    for (let d = 0; d < counts.length; d++) {
      const c = counts[d];
      counts[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const row = order[i];
      spare[counts[Math.floor(keys[row] / shift) & 0xffff]++] = row;
    }
    [order, spare] = [spare, order];
  }
  return order;
}

/**
 * The permutation that merges runs of `time` each already in ascending order (`runStarts[k]` is where run
 * k begins; runs are consecutive), stable: equal times keep run order, then order within the run. Null
 * when the runs together are already in order. A k-way merge over a heap of the runs' heads.
 */
export function mergeOrder(time: Float64Array, runStarts: readonly number[]): Uint32Array | null {
  const n = time.length;
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) if (time[i] < time[i - 1]) sorted = false;
  if (sorted) return null;
  const ends = runStarts.map((_, k) => (k + 1 < runStarts.length ? runStarts[k + 1] : n));
  const next = Uint32Array.from(runStarts);
  // The heap holds runs not yet exhausted, keyed by the time of their next row, then by run index.
  const heap: number[] = [];
  const before = (a: number, b: number): boolean =>
    time[next[a]] < time[next[b]] || (time[next[a]] === time[next[b]] && a < b);
  const down = (at: number): void => {
    for (;;) {
      const left = 2 * at + 1;
      if (left >= heap.length) return;
      const child = left + 1 < heap.length && before(heap[left + 1], heap[left]) ? left + 1 : left;
      if (!before(heap[child], heap[at])) return;
      [heap[at], heap[child]] = [heap[child], heap[at]];
      at = child;
    }
  };
  for (let k = 0; k < runStarts.length; k++) if (next[k] < ends[k]) heap.push(k);
  for (let at = (heap.length >> 1) - 1; at >= 0; at--) down(at);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const run = heap[0];
    order[i] = next[run]++;
    if (next[run] === ends[run]) {
      heap[0] = heap[heap.length - 1];
      heap.pop();
    }
    down(0);
  }
  return order;
}
