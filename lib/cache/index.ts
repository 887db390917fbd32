import { fifo } from './policies/fifo.js';
import { lru } from './policies/lru.js';
import { twoLevel } from './two-level.js';
import { prefetch } from './prefetch.js';
import type { ModelFactory } from './model.js';

/** Every built-in model by name: adding one is a new file and a line here. */
export const MODELS: Readonly<Record<string, ModelFactory>> = {
  'two-level': twoLevel,
  prefetch,
  lru,
  fifo,
};
