// Pixel preprocessing, fitted on the training split only and then applied unchanged to val and test, so no
// statistic of the held-out data leaks into training:
//   none         float32 copies of the raw values (0-255 for images), for comparing against normalised input;
//   scale        divide by 255, to [0, 1];
//   standardize  subtract the mean and divide by the standard deviation of the training split, per channel
//                (dim 1: the colour channel of N×C×H×W images, the feature of N×F data) or over everything.
//                A channel that is constant in train (std 0, e.g. MNIST's border pixels when flattened) is
//                only centred, never divided by zero.
import { asObject, readFields, readName, type FieldSpec } from '../engine/fields.js';
import { ops, tensor, tidy, type Tensor } from '../tensor/index.js';
import type { Dataset } from './dataset.js';
import type { DataSplits } from './split.js';

export type PreprocessConfig = { name: 'none' } | { name: 'scale' } | { name: 'standardize'; per?: 'channel' | 'global' };

/** The fitted state: config plus the training statistics (JSON-able, to store with a model). */
export interface PreprocessState {
  config: PreprocessConfig;
  /** Per channel (or one value for 'global'); absent unless standardizing. */
  mean?: number[];
  std?: number[];
}

const FIELDS: Record<PreprocessConfig['name'], Record<string, FieldSpec>> = {
  none: {},
  scale: {},
  standardize: { per: { type: 'choice', default: 'channel', choices: ['channel', 'global'] } },
};
const NAMES = Object.keys(FIELDS) as PreprocessConfig['name'][];
/** Samples per chunk when summing statistics (bounds the float64 working copy to a few tens of MB). */
const CHUNK = 8192;

export class Preprocessor {
  private constructor(readonly state: PreprocessState) {}

  /** Checks `config` (an object, or just the name) and fits it on the training data (only standardize learns anything). */
  static fit(config: PreprocessConfig | PreprocessConfig['name'], train: Dataset, path = 'preprocess'): Preprocessor {
    const c = typeof config === 'string' ? { name: config } : asObject(config, path, 'a preprocessing');
    const name = readName(c, path, 'preprocessing', NAMES);
    const f = readFields(c, FIELDS[name], path, `preprocessing '${name}'`);
    if (name !== 'standardize') return new Preprocessor({ config: { name } });
    const per = f.per as 'channel' | 'global';
    return new Preprocessor({ config: { name, per }, ...meanStd(train.x, per) });
  }

  /** A preprocessor from a stored state (e.g. loaded with a model), without refitting. */
  static fromState(state: PreprocessState): Preprocessor {
    return new Preprocessor(structuredClone(state));
  }

  getConfig(): PreprocessConfig {
    return { ...this.state.config };
  }

  /** The preprocessed batch or tensor, float32 (x: N×C×H×W or N×F, matching what the statistics were fitted on). */
  apply(x: Tensor): Tensor {
    return tidy(() => {
      // A fresh float copy is transformed in place: no full-size temporary (MNIST as float32 is 188 MB).
      const fresh = x.dtype !== 'float32';
      const f = fresh ? x.to('float32') : x;
      const { config, mean, std } = this.state;
      if (config.name === 'none') return fresh ? f : ops.clone(f);
      if (config.name === 'scale') return fresh ? f.div_(255) : f.div(255);
      const shape = mean!.length === 1 ? [1] : [1, mean!.length, ...Array(x.rank - 2).fill(1)];
      const centred = fresh ? f.sub_(tensor(Float32Array.from(mean!), shape)) : f.sub(tensor(Float32Array.from(mean!), shape));
      return centred.div_(tensor(Float32Array.from(std!), shape));
    });
  }

  /** A preprocessed copy of a dataset (the input is left as it is). */
  applyTo(ds: Dataset): Dataset {
    return { name: ds.name, x: this.apply(ds.x), y: ops.detach(ds.y), classes: ds.classes };
  }
}

/**
 * Fits on splits.train and applies to train, val and the sealed test set: new tensors (the input splits are
 * left as they are) and the fitted preprocessor.
 */
export function preprocessSplits(splits: DataSplits, config: PreprocessConfig | PreprocessConfig['name'], path = 'preprocess'): { splits: DataSplits; preprocessor: Preprocessor } {
  const p = Preprocessor.fit(config, splits.train, path);
  return { splits: { train: p.applyTo(splits.train), val: p.applyTo(splits.val), test: splits.test.map((d) => p.applyTo(d)) }, preprocessor: p };
}

/**
 * Mean and (population) standard deviation per channel (dim 1) or overall, in float64, chunk by chunk, in two
 * passes (the mean, then the squared deviations from it) so no precision is lost to cancellation.
 */
function meanStd(x: Tensor, per: 'channel' | 'global'): { mean: number[]; std: number[] } {
  const n = x.shape[0];
  const channels = per === 'global' ? 1 : x.shape[1];
  const dims = per === 'global' ? Array.from({ length: x.rank }, (_, i) => i) : [0, ...Array.from({ length: x.rank - 2 }, (_, i) => i + 2)];
  const count = x.size / channels;
  const sumOver = (f: (chunk: Tensor) => Tensor): number[] => {
    const total = new Array<number>(channels).fill(0);
    for (let start = 0; start < n; start += CHUNK) {
      tidy(() => ops.sumDim(f(x.narrow(0, start, Math.min(CHUNK, n - start)).to('float64')), dims).toNumbers()).forEach((v, c) => (total[c] += v));
    }
    return total;
  };
  const mean = sumOver((chunk) => chunk).map((s) => s / count);
  const shape = per === 'global' ? [1] : [1, channels, ...Array(x.rank - 2).fill(1)];
  const std = sumOver((chunk) => chunk.sub(tensor(Float64Array.from(mean), shape)).square()).map((s, c) => {
    const sd = Math.sqrt(s / count);
    return sd > 1e-8 * Math.max(1, Math.abs(mean[c])) ? sd : 1;
  });
  return { mean, std };
}
