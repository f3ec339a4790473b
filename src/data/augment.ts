// On-the-fly augmentation of an image batch (N×C×H×W) with tensor ops: every sample gets its own random
// parameters, but the whole batch is transformed by a few native calls (no per-sample JS loop). Geometric
// steps build one affine matrix per sample and resample with affine_grid_generator + grid_sampler (bilinear;
// rotation fills the corners with zeros, crops repeat the edge), as torchvision's tensor transforms do.
//
// Steps (applied in the order given):
//   { name: 'rotate', degrees: 15 }                   angle uniform in [-15°, 15°], counter-clockwise positive
//   { name: 'flip', p: 0.5, mode: 'horizontal' }      a flip with probability p: mode 'horizontal' (default, left-right),
//                                                     'vertical' (upside down) or 'horizontal_and_vertical' (each
//                                                     axis on its own draw, as Keras's RandomFlip)
//   { name: 'randomResizedCrop', size: 24, scale: [0.08, 1], ratio: [3/4, 4/3] }
//        a crop of area share in `scale` and aspect ratio (width/height) in `ratio`, resized to `size`; a crop
//        that would not fit is clamped to the image (torchvision retries ten times, then falls back to a centre crop)
//   { name: 'resize', size: [32, 32] }                bilinear resize of every sample
//   { name: 'normalize', mean: [0.5], std: [0.5] }    (x - mean) / std per channel
// With a seed, the draws for batch `draw` depend only on (seed, draw): a run repeats exactly.
//
// torchvision's and Keras's names work too: RandomRotation(degrees) and Keras's RandomRotation(factor) (a share
// of a full turn) are rotate, RandomHorizontalFlip(p), RandomVerticalFlip(p) and Keras's RandomFlip(mode) (its
// default 'horizontal_and_vertical') are flip, Resize(size) and Keras's Resizing(height, width) are resize. An
// unknown step name gets a "did you mean" among all of these.
//
// resize and normalize do the same to every image, so they are not random steps: planAugment() takes them out,
// and the data preparation applies them once to every split (train, validation, test) and to predicted images,
// before the random steps; a step that changes the size at random (randomResizedCrop) has the evaluation splits
// resized to its size. The model then sees one input shape everywhere.
import { closest, ConfigError, ShapeError } from '../engine/errors.js';
import { asObject, readFields, readName, type FieldSpec } from '../engine/fields.js';
import { isFloating, ops, tensor, tidy, zeros, type Tensor } from '../tensor/index.js';
import { mixSeed, SEED_FIELD, withSeed } from './random.js';

export type Size = number | [height: number, width: number];

/** Which way a flip turns the image (Keras's RandomFlip modes). */
export type FlipMode = 'horizontal' | 'vertical' | 'horizontal_and_vertical';

export type AugmentStep =
  | { name: 'rotate'; degrees: number }
  | { name: 'flip'; p?: number; mode?: FlipMode }
  | { name: 'randomResizedCrop'; size: Size; scale?: [number, number]; ratio?: [number, number] }
  | { name: 'resize'; size: Size }
  | { name: 'normalize'; mean: number[]; std: number[] };

export interface AugmentConfig {
  /** Steps in order; a step without fields can be given by its name alone ('flip'). */
  steps: (AugmentStep | AugmentStep['name'])[];
  seed?: number;
}

const STEPS = 'a list of steps, e.g. [{ "name": "flip", "p": 0.5 }]';
const FIELDS: Record<keyof AugmentConfig, FieldSpec> = {
  steps: { type: 'any', required: true, accepts: STEPS },
  seed: SEED_FIELD,
};
const size: FieldSpec = { type: 'any', required: true, accepts: 'a positive integer or [height, width]' };
const STEP_FIELDS: Record<AugmentStep['name'], Record<string, FieldSpec>> = {
  rotate: { degrees: { type: 'number', min: 0, max: 180, required: true } },
  flip: { p: { type: 'optionalNumber', min: 0, max: 1 }, mode: { type: 'any' } },
  randomResizedCrop: { size, scale: { type: 'any' }, ratio: { type: 'any' } },
  resize: { size },
  normalize: { mean: { type: 'any' }, std: { type: 'any' } },
};
const NAMES = Object.keys(STEP_FIELDS) as AugmentStep['name'][];
const FLIP_MODES: readonly FlipMode[] = ['horizontal', 'vertical', 'horizontal_and_vertical'];

// grid_sampler's enum arguments.
const BILINEAR = 0;
const PADDING = { zeros: 0, border: 1 } as const;

// ---- deterministic transforms (exported for tests and direct use) --------------------------------------------

/** Mirrors every image left-right. */
export function hflip(x: Tensor): Tensor {
  return ops.flip(x, [-1]);
}

/** Turns every image upside down. */
export function vflip(x: Tensor): Tensor {
  return ops.flip(x, [-2]);
}

/**
 * Resamples each image with its own 2×3 affine matrix (N×2×3, normalised coordinates, output → input),
 * bilinear; outside the image it reads zeros, or the nearest edge pixel with padding 'border'. Integer images
 * are converted to float32.
 */
export function affine(x: Tensor, theta: Tensor, size: [number, number] = [x.shape[2], x.shape[3]], padding: keyof typeof PADDING = 'zeros'): Tensor {
  return tidy(() => {
    const xf = isFloating(x.dtype) ? x : x.to('float32');
    const grid = ops.affineGridGenerator(theta.to(xf.dtype), [x.shape[0], x.shape[1], size[0], size[1]], false);
    return ops.gridSampler(xf, grid, BILINEAR, PADDING[padding], false);
  });
}

/**
 * Rotates each image counter-clockwise about its centre by `degrees` (one angle, or a tensor [N] of angles),
 * keeping the size; corners outside the image become 0. Non-square images rotate without shearing.
 */
export function rotate(x: Tensor, degrees: Tensor | number): Tensor {
  return tidy(() => {
    const [n, , h, w] = checkImages(x, 'rotate');
    const rad = (typeof degrees === 'number' ? ops.full([n], degrees, 'float64') : degrees.to('float64')).mul(Math.PI / 180);
    const cos = rad.cos();
    const sin = rad.sin();
    const zero = zeros([n], { dtype: 'float64' });
    // Output pixel q samples input p = S⁻¹ R S q, with S = diag(W/2, H/2) from normalised to pixel units.
    const theta = ops.stack([cos, sin.mul(-h / w), zero, sin.mul(w / h), cos, zero], 1).reshape([n, 2, 3]);
    return affine(x, theta);
  });
}

/** Bilinear resize of every image to [height, width]. */
export function resize(x: Tensor, size: Size): Tensor {
  checkImages(x, 'resize');
  const [h, w] = sizePair(size);
  return ops.upsampleBilinear2d(x, [h, w], false);
}

/**
 * Crops box k = [cx, cy, w, h] from image k (centre and size as fractions in normalised coordinates: centre in
 * [-1, 1], size in (0, 1] of the image) and resizes it to `size`, all in one grid sample. Samples that fall
 * between the outermost pixel centres and the image edge (when enlarging) repeat the edge, as a resize does.
 */
export function cropResize(x: Tensor, boxes: Tensor, size: Size): Tensor {
  return tidy(() => {
    const [n] = checkImages(x, 'cropResize');
    const b = boxes.to('float64');
    const col = (i: number): Tensor => b.select(1, i);
    const zero = zeros([n], { dtype: 'float64' });
    const theta = ops.stack([col(2), zero, col(0), zero, col(3), col(1)], 1).reshape([n, 2, 3]);
    return affine(x, theta, sizePair(size), 'border');
  });
}

/** (x - mean[c]) / std[c] over channels (one value applies to all channels); integer input becomes float32. */
export function normalize(x: Tensor, mean: readonly number[], std: readonly number[]): Tensor {
  return tidy(() => {
    const c = x.shape[1];
    if ((mean.length !== 1 && mean.length !== c) || mean.length !== std.length) {
      throw new ShapeError(`normalize: mean and std need 1 or ${c} values each (one per channel of [${x.shape.join(', ')}]), got ${mean.length} and ${std.length}`);
    }
    const xf = isFloating(x.dtype) ? x : x.to('float32');
    const shape = [1, mean.length, 1, 1];
    return xf.sub(tensor(Float32Array.from(mean), shape).to(xf.dtype)).div(tensor(Float32Array.from(std), shape).to(xf.dtype));
  });
}

// ---- the random pipeline ---------------------------------------------------------------------------------------

export class Augmentation {
  private readonly config: { steps: AugmentStep[]; seed?: number };
  private calls = 0;

  constructor(config: AugmentConfig, path = 'augment') {
    this.config = checkAugmentConfig(config, path);
  }

  /** The config as plain data, every step as an object. */
  getConfig(): { steps: AugmentStep[]; seed?: number } {
    return structuredClone(this.config);
  }

  /**
   * The augmented batch (float; integer input is converted to float32 first). `draw` identifies the batch
   * for seeding (the loader passes epoch and batch position); by default calls are numbered 0, 1, 2...
   */
  apply(x: Tensor, draw = this.calls++): Tensor {
    checkImages(x, 'augment');
    const seed = this.config.seed === undefined ? undefined : mixSeed(this.config.seed, draw);
    return tidy(() =>
      withSeed(seed, () => {
        let out = isFloating(x.dtype) ? x : x.to('float32');
        for (const step of this.config.steps) out = applyStep(out, step);
        return out === x ? ops.clone(x) : out;
      }),
    );
  }
}

function applyStep(x: Tensor, step: AugmentStep): Tensor {
  const n = x.shape[0];
  switch (step.name) {
    case 'rotate':
      return rotate(x, ops.rand([n], 'float64').mul(2 * step.degrees).sub(step.degrees));
    case 'flip': {
      // One draw per sample and axis: with 'horizontal_and_vertical' an image may be flipped both ways.
      const mode = step.mode ?? 'horizontal';
      const flipWhere = (y: Tensor, flip: (t: Tensor) => Tensor) => ops.where(ops.rand([n]).lt(step.p ?? 0.5).reshape([n, 1, 1, 1]), flip(y), y);
      const h = mode === 'vertical' ? x : flipWhere(x, hflip);
      return mode === 'horizontal' ? h : flipWhere(h, vflip);
    }
    case 'randomResizedCrop': {
      const [h, w] = [x.shape[2], x.shape[3]];
      const [sLo, sHi] = step.scale ?? [0.08, 1];
      const [rLo, rHi] = step.ratio ?? [3 / 4, 4 / 3];
      const area = ops.rand([n], 'float64').mul(sHi - sLo).add(sLo);
      const ratio = ops.rand([n], 'float64').mul(Math.log(rHi / rLo)).add(Math.log(rLo)).exp();
      // Width and height as shares of the image: w_px = sqrt(area·H·W·ratio), h_px = sqrt(area·H·W/ratio).
      const bw = area.mul(ratio).mul(h / w).sqrt().clampMax(1);
      const bh = area.div(ratio).mul(w / h).sqrt().clampMax(1);
      // Centre anywhere the box fits: uniform in [-(1 - share), 1 - share] in normalised coordinates.
      const cx = ops.rand([n], 'float64').mul(2).sub(1).mul(bw.neg().add(1));
      const cy = ops.rand([n], 'float64').mul(2).sub(1).mul(bh.neg().add(1));
      return cropResize(x, ops.stack([cx, cy, bw, bh], 1), step.size);
    }
    case 'resize':
      return resize(x, step.size);
    case 'normalize':
      return normalize(x, step.mean, step.std);
  }
}

const loose = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');

/** torchvision's and Keras's spellings of the steps, translated to nnlab's (by loose name). */
const PEER_STEPS: Record<string, (c: Record<string, unknown>, at: string) => Record<string, unknown>> = {
  randomrotation: ({ name: _, factor, ...rest }, at) => {
    if (factor === undefined) return { ...rest, name: 'rotate' };
    if (typeof factor !== 'number' || !(factor >= 0 && factor <= 0.5)) throw new ConfigError(`${at}.factor`, `expected Keras's factor, a share of a full turn in [0, 0.5], got ${JSON.stringify(factor)}`);
    return { ...rest, name: 'rotate', degrees: factor * 360 };
  },
  randomhorizontalflip: (c) => ({ ...c, name: 'flip' }),
  randomverticalflip: (c) => ({ ...c, name: 'flip', mode: 'vertical' }),
  // Keras's RandomFlip flips both ways unless told otherwise; 'horizontal' is nnlab's default, left unsaid.
  randomflip: ({ name: _, mode = 'horizontal_and_vertical', ...rest }) => ({ ...rest, name: 'flip', ...(mode === 'horizontal' ? {} : { mode }) }),
  resizing: ({ name: _, height, width, ...rest }) => ({ ...rest, name: 'resize', ...(height !== undefined || width !== undefined ? { size: [height, width] } : {}) }),
};

/** The step names a did-you-mean offers: nnlab's, then the peers' as they are usually written. */
const SUGGESTED = [...NAMES, 'RandomRotation', 'RandomHorizontalFlip', 'RandomVerticalFlip', 'RandomFlip', 'Resizing'];

/**
 * An unknown step name, with the closest known one: by edit distance, else a known name that shares the
 * given one's stem ('rotation' → 'rotate', 'crop' → 'randomResizedCrop').
 */
function unknownStep(given: string, at: string): ConfigError {
  const g = loose(given);
  const stem = g.length >= 4 ? SUGGESTED.find((n) => loose(n).includes(g) || (g.length >= 5 && loose(n).startsWith(g.slice(0, 5))) || g.startsWith(loose(n))) : undefined;
  const near = closest(given, SUGGESTED) ?? stem ?? null;
  return new ConfigError(at, `unknown augmentation '${given}'${near ? ` (did you mean '${near}'?)` : ''}; valid: ${NAMES.join(', ')} (or torchvision's and Keras's names: ${SUGGESTED.slice(NAMES.length).join(', ')})`);
}

/** Checks an augmentation config (field paths in errors); returns a copy with every step as an object. */
export function checkAugmentConfig(config: AugmentConfig, path = 'augment'): { steps: AugmentStep[]; seed?: number } {
  const f = readFields(config, FIELDS, path, 'the augmentation', { named: false });
  if (!Array.isArray(f.steps)) throw new ConfigError(`${path}.steps`, `expected ${STEPS}, got ${JSON.stringify(f.steps)}`);
  const steps = f.steps.map((given: unknown, i) => {
    const at = `${path}.steps[${i}]`;
    const written = typeof given === 'string' ? { name: given } : asObject(given, at, 'an augmentation step');
    const peer = typeof written.name === 'string' ? PEER_STEPS[loose(written.name)] : undefined;
    if (typeof written.name === 'string' && !peer && !NAMES.some((n) => loose(n) === loose(written.name as string))) throw unknownStep(written.name, `${at}.name`);
    const c = peer ? peer(written, at) : written;
    const name = readName(c, at, 'augmentation', NAMES);
    const fields = readFields(c, STEP_FIELDS[name], at, `augmentation '${name}'`);
    // The step as given (in nnlab's spelling), without defaults.
    const step = { name, ...Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== null)) } as AugmentStep;
    switch (step.name) {
      case 'flip':
        if (step.mode !== undefined && !FLIP_MODES.includes(step.mode)) {
          const near = closest(String(step.mode), FLIP_MODES);
          throw new ConfigError(`${at}.mode`, `unknown flip mode ${JSON.stringify(step.mode)}${near ? ` (did you mean '${near}'?)` : ''}; valid: ${FLIP_MODES.join(', ')}`);
        }
        break;
      case 'randomResizedCrop':
        sizePair(step.size, `${at}.size`);
        if (step.scale !== undefined) checkInterval(step.scale, `${at}.scale`, 0, 1);
        if (step.ratio !== undefined) checkInterval(step.ratio, `${at}.ratio`, 0, Infinity);
        break;
      case 'resize':
        sizePair(step.size, `${at}.size`);
        break;
      case 'normalize':
        if (!Array.isArray(step.mean) || !Array.isArray(step.std) || step.mean.length === 0 || step.mean.length !== step.std.length) {
          throw new ConfigError(at, 'normalize needs mean and std lists of the same non-zero length (one per channel)');
        }
        step.std.forEach((v, k) => {
          if (typeof v !== 'number' || !(v > 0)) throw new ConfigError(`${at}.std[${k}]`, `expected a positive number, got ${JSON.stringify(v)}`);
        });
        break;
    }
    return structuredClone(step);
  });
  return f.seed === null ? { steps } : { steps, seed: f.seed as number };
}

/** An augmentation split into what is the same for every image (applied to every split once) and the random steps. */
export interface AugmentPlan {
  /** resize and normalize steps, in order: applied to train, validation, test and predicted images alike. */
  fixed: AugmentStep[];
  /** The random steps (with the seed), or null when none are left. */
  random: { steps: AugmentStep[]; seed?: number } | null;
  /** The size the random steps give (randomResizedCrop's), to which the evaluation splits are resized; else null. */
  evalSize: [number, number] | null;
}

const FIXED: ReadonlySet<AugmentStep['name']> = new Set(['resize', 'normalize']);

export function planAugment(config: AugmentConfig | null, path = 'augment'): AugmentPlan {
  if (config === null) return { fixed: [], random: null, evalSize: null };
  const checked = checkAugmentConfig(config, path);
  const fixed = checked.steps.filter((s) => FIXED.has(s.name));
  const steps = checked.steps.filter((s) => !FIXED.has(s.name));
  const crops = steps.filter((s): s is Extract<AugmentStep, { name: 'randomResizedCrop' }> => s.name === 'randomResizedCrop');
  return {
    fixed,
    random: steps.length === 0 ? null : { ...checked, steps },
    evalSize: crops.length === 0 ? null : sizePair(crops[crops.length - 1].size),
  };
}

/** The fixed steps applied to a batch of images (float out; integer input becomes float32). */
export function applyFixed(x: Tensor, steps: readonly AugmentStep[]): Tensor {
  checkImages(x, 'augment');
  return tidy(() => {
    let out = isFloating(x.dtype) ? x : x.to('float32');
    for (const step of steps) out = applyStep(out, step);
    return out === x ? ops.clone(x) : out;
  });
}

function checkInterval(v: unknown, path: string, lo: number, hi: number): void {
  if (!Array.isArray(v) || v.length !== 2 || !(v[0] > lo && v[0] <= v[1] && v[1] <= hi)) {
    throw new ConfigError(path, `expected [low, high] with ${lo} < low <= high <= ${hi}, got ${JSON.stringify(v)}`);
  }
}

/** [height, width] from a size (a number means square). */
export function sizePair(size: Size, path = 'size'): [number, number] {
  const pair = typeof size === 'number' ? [size, size] : size;
  if (!Array.isArray(pair) || pair.length !== 2 || !pair.every((d) => Number.isInteger(d) && d > 0)) {
    throw new ConfigError(path, `expected a positive integer or [height, width], got ${JSON.stringify(size)}`);
  }
  return [pair[0], pair[1]];
}

function checkImages(x: Tensor, what: string): number[] {
  if (x.rank !== 4) throw new ShapeError(`${what}: expects image batches N×C×H×W, got [${x.shape.join(', ')}] (flattened data cannot be augmented)`);
  return x.shape;
}
