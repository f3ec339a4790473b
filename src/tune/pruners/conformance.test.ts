// Runs the pruner conformance suite (src/testing/pruner-conformance.ts) for every registered pruner, with its defaults and with
// other settings.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { prunerConformance } from '../../testing/pruner-conformance.js';
import { PRUNER_NAMES, prunerFrom } from './index.js';

const CASES: { title: string; config: unknown; prunes: boolean }[] = [
  { title: 'none', config: 'none', prunes: false },
  { title: 'median', config: 'median', prunes: true },
  { title: 'median { startupTrials: 10, warmupEpochs: 3, intervalEpochs: 2, minTrials: 3 }', config: { name: 'median', startupTrials: 10, warmupEpochs: 3, intervalEpochs: 2, minTrials: 3 }, prunes: true },
  { title: 'asha', config: 'asha', prunes: true },
  { title: 'asha { minEpochs: 2, reductionFactor: 3 }', config: { name: 'asha', minEpochs: 2, reductionFactor: 3 }, prunes: true },
  { title: 'successiveHalving { reduction_factor: 2, min_early_stopping_rate: 1 }', config: { name: 'successive_halving', reduction_factor: 2, min_early_stopping_rate: 1 }, prunes: true },
  { title: 'hyperband', config: 'hyperband', prunes: true },
  { title: 'hyperband { maxEpochs: 20, reductionFactor: 2 }', config: { name: 'hyperband', maxEpochs: 20, reductionFactor: 2 }, prunes: true },
  { title: 'hyperband { min_resource: 2, max_resource: auto }', config: { name: 'hyperband', min_resource: 2, max_resource: 'auto' }, prunes: true },
];

for (const c of CASES) prunerConformance(c.title, () => prunerFrom(c.config), { prunes: c.prunes });

test('the suite runs for every registered pruner', () => {
  const covered = new Set(CASES.map((c) => prunerFrom(c.config).name));
  assert.deepEqual([...covered].sort(), [...PRUNER_NAMES].sort());
});
