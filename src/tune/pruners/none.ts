// No pruning: every trial trains until its own end (Optuna's NopPruner, the default).
import type { PrunerDefinition } from './index.js';

export const none: PrunerDefinition = {
  params: {},
  create: () => ({ name: 'none', shouldPrune: () => false, config: () => ({ name: 'none' }) }),
};
