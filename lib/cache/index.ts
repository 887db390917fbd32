import { arc } from './policies/arc.js';
import { fifo } from './policies/fifo.js';
import { lfu } from './policies/lfu.js';
import { lru } from './policies/lru.js';
import { opt } from './policies/opt.js';
import { s3fifo } from './policies/s3fifo.js';
import { sieve } from './policies/sieve.js';
import { clock } from './policies/clock.js';
import { twoQ } from './policies/two-q.js';
import { wTinyLfu } from './policies/w-tinylfu.js';
import { gdsf } from './policies/gdsf.js';
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
  sieve,
  clock,
  '2q': twoQ,
  'w-tinylfu': wTinyLfu,
  gdsf,
  opt,
};

/** The arguments each built-in model takes: shared `simulate.args` and sweeps apply to a model's own. */
export const MODEL_PARAMS: Readonly<Record<string, readonly string[]>> = {
  'two-level': ['cache_size', 'restrict_mb', 'fs_multiplier'],
  prefetch: ['rtimeout', 'mtimeout', 'compat'],
  lru: ['capacity_gb', 'admit_max_mb'],
  fifo: ['capacity_gb', 'admit_max_mb'],
  lfu: ['capacity_gb', 'admit_max_mb'],
  arc: ['capacity_gb', 'admit_max_mb'],
  's3-fifo': ['capacity_gb', 'small_ratio', 'admit_max_mb'],
  sieve: ['capacity_gb', 'admit_max_mb'],
  clock: ['capacity_gb', 'admit_max_mb'],
  '2q': ['capacity_gb', 'kin_ratio', 'kout_ratio', 'admit_max_mb'],
  'w-tinylfu': ['capacity_gb', 'window_ratio', 'protected_ratio', 'admit_max_mb'],
  gdsf: ['capacity_gb', 'admit_max_mb'],
  opt: ['capacity_gb', 'admit_max_mb'],
};
