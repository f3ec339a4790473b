// Mini-batches over a dataset held in native tensors. Each epoch either keeps dataset order or draws a fresh
// permutation (seeded: epoch e of a loader with seed s always has the same order); each batch is gathered with
// one native call per tensor (index_select along the permutation, or a zero-copy narrow without shuffling),
// then optionally augmented on the fly.
//
// Batches belong to the loader: a batch is freed when the next one is requested or the epoch ends (also on
// break), so a training loop leaks nothing. Clone a batch's tensors to keep them longer.
import { ConfigError } from '../engine/errors.js';
import { readFields, type FieldSpec } from '../engine/fields.js';
import { keep, ops, type Tensor } from '../tensor/index.js';
import { Augmentation, type AugmentConfig } from './augment.js';
import { datasetSize, type Dataset } from './dataset.js';
import { mixSeed, SEED_FIELD, withSeed } from './random.js';

export interface LoaderConfig {
  batchSize: number;
  /** A new random order every epoch (default true). */
  shuffle?: boolean;
  /** Drop the last batch when it is smaller than batchSize (default false). */
  dropLast?: boolean;
  /** Seed of the shuffles; without one they draw from libtorch's generator as it stands. */
  seed?: number;
  /** On-the-fly augmentation of each batch's x. */
  augment?: AugmentConfig;
}

const FIELDS: Record<keyof LoaderConfig, FieldSpec> = {
  batchSize: { type: 'optionalInteger', min: 1, required: true },
  shuffle: { type: 'boolean' },
  dropLast: { type: 'boolean' },
  seed: SEED_FIELD,
  augment: { type: 'object' },
};

export interface Batch {
  x: Tensor;
  y: Tensor;
  /** Position of the batch in its epoch (0-based). */
  index: number;
}

export class DataLoader {
  readonly data: Dataset;
  private readonly config: LoaderConfig;
  private readonly augmentation: Augmentation | null;
  private nextEpoch = 0;

  constructor(data: Dataset, config: LoaderConfig, path = 'loader') {
    const f = readFields(config, FIELDS, path, 'the loader', { named: false });
    // The config as given (in nnlab's spelling), without defaults, for getConfig.
    const given = Object.fromEntries(Object.entries(f).filter(([, v]) => v !== null));
    this.config = structuredClone(given) as unknown as LoaderConfig;
    this.augmentation = this.config.augment ? new Augmentation(this.config.augment, `${path}.augment`) : null;
    this.data = data;
    if (this.batchesPerEpoch === 0) {
      throw new ConfigError(`${path}.batchSize`, `${data.name} has ${datasetSize(data)} samples: no batch of ${config.batchSize} with dropLast`);
    }
  }

  getConfig(): LoaderConfig {
    return structuredClone(this.config);
  }

  /** Samples per epoch (after dropLast). */
  get samplesPerEpoch(): number {
    const n = datasetSize(this.data);
    return this.config.dropLast ? n - (n % this.config.batchSize) : n;
  }

  get batchesPerEpoch(): number {
    const n = datasetSize(this.data);
    return this.config.dropLast ? Math.floor(n / this.config.batchSize) : Math.ceil(n / this.config.batchSize);
  }

  /** The batches of one epoch (epoch numbers pick the shuffle and augmentation draws). */
  *epoch(epoch: number): Generator<Batch, void, undefined> {
    const { batchSize, shuffle = true, seed } = this.config;
    const n = datasetSize(this.data);
    const order = shuffle ? keep(withSeed(seed === undefined ? undefined : mixSeed(seed, epoch), () => ops.randperm(n, 'int64'))) : null;
    const count = this.batchesPerEpoch;
    try {
      for (let b = 0; b < count; b++) {
        const start = b * batchSize;
        const size = Math.min(batchSize, n - start);
        let x: Tensor;
        let y: Tensor;
        if (order) {
          const idx = order.narrow(0, start, size);
          x = ops.indexSelect(this.data.x, 0, idx);
          y = ops.indexSelect(this.data.y, 0, idx);
          idx.dispose();
        } else {
          x = this.data.x.narrow(0, start, size);
          y = this.data.y.narrow(0, start, size);
        }
        if (this.augmentation) {
          const raw = x;
          x = this.augmentation.apply(raw, epoch * count + b);
          raw.dispose();
        }
        const batch = { x: keep(x), y: keep(y), index: b };
        try {
          yield batch;
        } finally {
          x.dispose();
          y.dispose();
        }
      }
    } finally {
      order?.dispose();
    }
  }

  /** Iterating the loader itself runs the next epoch (0, 1, 2... per loader). */
  [Symbol.iterator](): Generator<Batch, void, undefined> {
    return this.epoch(this.nextEpoch++);
  }
}
