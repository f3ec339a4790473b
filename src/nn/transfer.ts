// Transfer learning: weights from a state dict loaded into part of a model (a pretrained backbone under a new
// head), and weights kept from training (a frozen backbone). Weights are matched by their state-dict names
// (`layer1.0.conv1.weight`, `fc.bias`), with globs as shells write them (`fc.*`, `layer[12].*`): picomatch, where
// `*` matches dots too (names have no slashes).
import picomatch from 'picomatch';
import { ConfigError, ShapeError } from '../engine/errors.js';
import { noGrad, type Tensor } from '../tensor/index.js';
import { fmtShape, type Layer } from './layers/layer.js';
import type { Model } from './model.js';

/** A matcher of state-dict names by any of `globs`. */
function matcher(globs: readonly string[]): (name: string) => boolean {
  const tests = globs.map((g) => picomatch(g, { dot: true }));
  return (name) => tests.some((t) => t(name));
}

/** Each weight (not buffer) of the model, by state-dict name, with its layer and its name there. */
function weightsByName(model: Model): Map<string, { layer: Layer; weight: string }> {
  const owner = new Map<Tensor, { layer: Layer; weight: string }>();
  for (const layer of model.layers) for (const [weight, t] of layer.weights) owner.set(t, { layer, weight });
  const out = new Map<string, { layer: Layer; weight: string }>();
  for (const [name, t] of Object.entries(model.stateDict())) {
    const o = owner.get(t);
    if (o) out.set(name, o);
  }
  return out;
}

export interface LoadOptions {
  /** Every weight and buffer of the model must be in the file, and nothing else (default true). */
  strict?: boolean;
  /** Names not to load (globs), kept as the model built them: a new head (`fc.*`). */
  skip?: readonly string[];
  /** Where the tensors come from, for errors. */
  source?: string;
}

export interface LoadReport {
  loaded: string[];
  /** The model's names the tensors lack (kept at their initial values). */
  missing: string[];
  /** Names of the tensors the model lacks (ignored). */
  unexpected: string[];
  /** Names left out by `skip`. */
  skipped: string[];
}

/**
 * Copies `tensors` into the model by name, as PyTorch's load_state_dict(strict): shapes must match; with
 * `strict` (the default) a missing or unexpected name is an error listing them; `skip` leaves names out.
 * PyTorch's `num_batches_tracked` buffers are ignored.
 */
export function loadWeights(model: Model, tensors: Record<string, Tensor>, options: LoadOptions = {}): LoadReport {
  const source = options.source ?? 'state dict';
  const skipped = matcher(options.skip ?? []);
  const own = model.stateDict();
  const names = Object.keys(own);
  const report: LoadReport = {
    loaded: [],
    missing: names.filter((n) => !(n in tensors) && !skipped(n)),
    unexpected: Object.keys(tensors).filter((n) => !(n in own) && !n.endsWith('num_batches_tracked') && !skipped(n)),
    skipped: names.filter((n) => skipped(n)),
  };
  if ((options.strict ?? true) && (report.missing.length || report.unexpected.length)) {
    throw new ConfigError(
      'model.weights',
      `${source} does not match the model:${report.missing.length ? ` missing ${list(report.missing)};` : ''}${report.unexpected.length ? ` unexpected ${list(report.unexpected)};` : ''} load it with strict: false, or skip names`,
    );
  }
  const load = names.filter((n) => n in tensors && !skipped(n));
  for (const n of load) {
    if (own[n].shape.join() !== tensors[n].shape.join()) {
      throw new ShapeError(`${source}: ${n} has shape ${fmtShape(tensors[n].shape)}, the model's is ${fmtShape(own[n].shape)} (skip it to keep the model's)`);
    }
  }
  noGrad(() => {
    for (const n of load) own[n].copy_(tensors[n]);
  });
  report.loaded = load;
  return report;
}

/**
 * Keeps the weights whose names match any of `globs` from training (and a batch norm whose weights are all kept
 * in inference mode: running statistics used and left as they are); returns the names frozen. A glob that
 * matches no weight is an error naming the weights there are, a typo being likelier than intent.
 */
export function freezeWeights(model: Model, globs: readonly string[]): string[] {
  const weights = weightsByName(model);
  const frozen: string[] = [];
  for (const glob of globs) {
    const hit = [...weights.keys()].filter(matcher([glob]));
    if (hit.length === 0) {
      const some = [...weights.keys()].slice(0, 6).join(', ');
      throw new ConfigError('model.freeze', `'${glob}' matches no weight of the model (its weights are named like ${some}${weights.size > 6 ? ', ...' : ''})`);
    }
    frozen.push(...hit.filter((n) => !frozen.includes(n)));
  }
  for (const name of frozen) {
    const { layer, weight } = weights.get(name)!;
    layer.freezeWeight(weight);
  }
  return frozen;
}

/** At most 8 names, then how many more. */
function list(names: readonly string[]): string {
  return names.length <= 8 ? names.join(', ') : `${names.slice(0, 8).join(', ')} and ${names.length - 8} more`;
}
