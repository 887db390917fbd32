import { arc } from './policies/arc.js';
import { fifo } from './policies/fifo.js';
import { lfu } from './policies/lfu.js';
import { lru } from './policies/lru.js';
import { opt } from './policies/opt.js';
import { s3fifo } from './policies/s3fifo.js';
import { twoLevel } from './two-level.js';
import { prefetch } from './prefetch.js';
import type { ModelFactory } from './model.js';

/** Every built-in model by name: adding one is a new file and a line here. */
export const MODELS: Readonly<Record<string, ModelFactory>> = {
  'two-level': twoLevel,
  prefetch,
  lru,
  fifo,
  lfu,
  arc,
  's3-fifo': s3fifo,
  opt,
};

/** The arguments each built-in model takes: shared `simulate.args` and sweeps apply to a model's own. */
export const MODEL_PARAMS: Readonly<Record<string, readonly string[]>> = {
  'two-level': ['cache_size', 'restrict_mb', 'fs_multiplier'],
  prefetch: ['rtimeout', 'mtimeout', 'compat'],
  lru: ['capacity_gb'],
  fifo: ['capacity_gb'],
  lfu: ['capacity_gb'],
  arc: ['capacity_gb'],
  's3-fifo': ['capacity_gb', 'small_ratio'],
  opt: ['capacity_gb'],
};
