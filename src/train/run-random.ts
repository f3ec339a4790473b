// A training run's randomness as a function of (run seed, epoch). The native addon cannot read or restore
// libtorch's generator state, so fit() reseeds the generator at the start of every epoch with
// epochSeed(runSeed, epoch): the shuffle, the dropout masks and the augmentation draws of epoch e are then the
// same whether the run started at epoch 0 or resumed from a checkpoint at e, and differ from epoch to epoch
// (each epoch has its own seed; none replays another's numbers).
//
// A run without a seed draws its run seed once from the generator as it stands (so it is as repeatable as
// before: the same generator state gives the same run), and the checkpoint records it.
import { manualSeed } from '../engine/seed.js';
import { mixSeed } from '../data/random.js';
import { ops, tidy } from '../tensor/index.js';

/** Tags the epoch stream, so that its seeds differ from the loader's shuffle seeds, mixSeed(seed, epoch). */
const EPOCH_STREAM = 0x65706f63; // 'epoc'

/** The generator seed of epoch `epoch` (0-based) of a run seeded `runSeed`. */
export function epochSeed(runSeed: number, epoch: number): number {
  return mixSeed(runSeed, EPOCH_STREAM, epoch);
}

/** Seeds libtorch's generator for epoch `epoch` of the run. */
export function seedEpoch(runSeed: number, epoch: number): void {
  manualSeed(epochSeed(runSeed, epoch));
}

/** A run seed drawn from libtorch's generator as it stands: a safe integer in [0, 2^52). */
export function drawRunSeed(): number {
  const [hi, lo] = tidy(() => ops.randint(0, 2 ** 31 - 1, [2], 'int64').toNumbers());
  return hi * 2 ** 21 + (lo % 2 ** 21);
}
