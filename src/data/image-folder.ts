// Image folders: one subfolder per class (root/cats/*.jpg, root/dogs/*.png, ...), JPEG, PNG or WebP, decoded
// with sharp into a uint8 dataset x [N, C, H, W] (C = 3 for RGB, 1 for grayscale; alpha is dropped). Class
// names are the subfolder names in sorted order. Images are decoded in parallel (bounded) and the result is
// cached: a later load of the same files with the same options reads one IDX file instead of decoding again.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '../engine/errors.js';
import { readIdx, writeIdx } from '../io/idx.js';
import { tensor, tidy } from '../tensor/index.js';
import { sizePair, type Size } from './augment.js';
import { cacheDir, writeDirAtomic, writeFileAtomic } from './cache.js';
import { checkBool, checkChoice, checkInt, checkKeys } from './config-check.js';
import { DatasetError, makeDataset, type Dataset } from './dataset.js';
import { TestSet } from './test-set.js';

export interface ImageFolderConfig {
  /** The folder holding one subfolder per class. */
  path: string;
  /** Resize every image to this size ([height, width] or a square side); without it all must share one size. */
  size?: Size;
  /** How a resize treats the aspect ratio: 'fill' stretches (default), 'cover' crops, 'contain' pads with black. */
  fit?: 'fill' | 'cover' | 'contain';
  /** 'rgb' (default) or 'grayscale'. */
  color?: 'rgb' | 'grayscale';
  /** Skip images that cannot be decoded, with a warning, instead of failing (default false). */
  skipInvalid?: boolean;
  /** Images decoded at once (default: the number of cores). */
  concurrency?: number;
  /** Read and write the decode cache (default true); `cacheDir` overrides its folder. */
  cache?: boolean;
  cacheDir?: string;
}

export interface ImageFolder {
  dataset: Dataset;
  /** The file of each sample, relative to the root. */
  files: string[];
  /** Images left out under skipInvalid, with the reason. */
  skipped: { file: string; reason: string }[];
  fromCache: boolean;
}

const KEYS = ['path', 'size', 'fit', 'color', 'skipInvalid', 'concurrency', 'cache', 'cacheDir'] as const;
const EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp']);
const FORMAT = 'v1';

/** Loads an image folder as a dataset (see the file comment). */
export async function loadImageFolder(config: ImageFolderConfig, cfgPath = 'data'): Promise<ImageFolder> {
  checkKeys(config, KEYS, cfgPath);
  if (typeof config.path !== 'string' || config.path === '') throw new ConfigError(`${cfgPath}.path`, 'expected the path of a folder');
  const size = config.size === undefined ? null : sizePair(config.size, `${cfgPath}.size`);
  const fit = config.fit === undefined ? 'fill' : checkChoice(config.fit, `${cfgPath}.fit`, 'fit', ['fill', 'cover', 'contain'] as const);
  const color = config.color === undefined ? 'rgb' : checkChoice(config.color, `${cfgPath}.color`, 'color', ['rgb', 'grayscale'] as const);
  const skipInvalid = config.skipInvalid === undefined ? false : checkBool(config.skipInvalid, `${cfgPath}.skipInvalid`);
  const concurrency = config.concurrency === undefined ? os.availableParallelism() : checkInt(config.concurrency, `${cfgPath}.concurrency`, 1, 256);
  const useCache = config.cache === undefined ? true : checkBool(config.cache, `${cfgPath}.cache`);

  const root = path.resolve(config.path);
  const { classes, files, labels } = listImages(root);
  const stats = files.map((f) => statSync(path.join(root, f)));
  const key = createHash('sha1')
    .update(JSON.stringify({ FORMAT, root, size, fit, color, skipInvalid, files: files.map((f, i) => [f, stats[i].size, stats[i].mtimeMs]) }))
    .digest('hex')
    .slice(0, 20);
  const entry = path.join(cacheDir(config.cacheDir), 'image-folder', `${path.basename(root)}-${key}`);
  if (useCache && existsSync(path.join(entry, 'meta.json'))) return readEntry(entry, root);

  const channels = color === 'rgb' ? 3 : 1;
  const decoded = await decodeAll(root, files, { size, fit, color, channels, skipInvalid, concurrency });
  const kept = decoded.flatMap((d, i) => (d.ok ? [{ ...d, file: files[i], label: labels[i] }] : []));
  const skipped = decoded.flatMap((d, i) => (d.ok ? [] : [{ file: files[i], reason: d.reason }]));
  if (skipped.length > 0) {
    process.emitWarning(`nnlab: skipped ${skipped.length} image(s) that cannot be decoded in ${root}:\n` + skipped.map((s) => `  ${s.file}: ${s.reason}`).join('\n'));
  }
  classes.forEach((c, k) => {
    if (!kept.some((d) => d.label === k)) throw new DatasetError(`${path.join(root, c)}: no decodable images left in class '${c}'`);
  });
  const [h, w] = [kept[0].height, kept[0].width];
  const odd = kept.find((d) => d.height !== h || d.width !== w);
  if (odd) {
    throw new DatasetError(
      `${root}: images differ in size: ${kept[0].file} is ${w}×${h}, ${odd.file} is ${odd.width}×${odd.height}; give a size to resize them (e.g. size: [${h}, ${w}])`,
    );
  }
  const pixels = Buffer.concat(kept.map((d) => d.data)); // N×H×W×C, as decoded
  const y = Int32Array.from(kept, (d) => d.label);
  const keptFiles = kept.map((d) => d.file);
  if (useCache) {
    writeDirAtomic(entry, (tmp) => {
      writeIdx(path.join(tmp, 'images-idx4-ubyte'), { dtype: 'uint8', shape: [kept.length, h, w, channels], data: pixels });
      writeIdx(path.join(tmp, 'labels-idx1-int'), { dtype: 'int32', shape: [kept.length], data: y });
      writeFileAtomic(path.join(tmp, 'meta.json'), JSON.stringify({ root, classes, files: keptFiles, skipped }));
    });
  }
  const dataset = toDataset(pixels, [kept.length, h, w, channels], y, classes, root);
  return { dataset, files: keptFiles, skipped, fromCache: false };
}

/** root/train and root/test, with the same class folders: the training set and the sealed test set. */
export async function loadImageFolderTrainTest(config: ImageFolderConfig, cfgPath = 'data'): Promise<{ train: Dataset; test: TestSet; files: { train: string[]; test: string[] } }> {
  const train = await loadImageFolder({ ...config, path: path.join(config.path, 'train') }, cfgPath);
  const test = await loadImageFolder({ ...config, path: path.join(config.path, 'test') }, cfgPath);
  if (train.dataset.classes.join('\n') !== test.dataset.classes.join('\n')) {
    for (const d of [train.dataset, test.dataset]) {
      d.x.dispose();
      d.y.dispose();
    }
    throw new DatasetError(
      `${config.path}: train and test have different class folders: train [${train.dataset.classes.join(', ')}], test [${test.dataset.classes.join(', ')}]`,
    );
  }
  const name = path.basename(path.resolve(config.path));
  return {
    train: { ...train.dataset, name: `${name}/train` },
    test: new TestSet({ ...test.dataset, name: `${name}/test` }),
    files: { train: train.files, test: test.files },
  };
}

/** Class folders (sorted) and their image files (sorted), relative to root; clear errors for bad folders. */
function listImages(root: string): { classes: string[]; files: string[]; labels: number[] } {
  const list = (dir: string) => {
    try {
      return readdirSync(dir, { withFileTypes: true }).filter((e) => !e.name.startsWith('.'));
    } catch (e) {
      throw new DatasetError(`${dir}: cannot read the folder (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  };
  const classes = list(root).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  if (classes.length === 0) throw new DatasetError(`${root}: no class folders; expected one subfolder per class (e.g. ${path.join(root, 'cats')})`);
  const files: string[] = [];
  const labels: number[] = [];
  classes.forEach((c, k) => {
    const images = list(path.join(root, c))
      .filter((e) => e.isFile() && EXTENSIONS.has(path.extname(e.name).toLowerCase()))
      .map((e) => e.name)
      .sort();
    if (images.length === 0) throw new DatasetError(`${path.join(root, c)}: class folder '${c}' holds no images (.jpg, .jpeg, .png, .webp)`);
    for (const f of images) {
      files.push(path.join(c, f));
      labels.push(k);
    }
  });
  return { classes, files, labels };
}

type Decoded = { ok: true; data: Buffer; width: number; height: number } | { ok: false; reason: string };

/** Decodes every file with at most `concurrency` at once; undecodable files fail the load unless skipInvalid. */
async function decodeAll(
  root: string,
  files: string[],
  o: { size: [number, number] | null; fit: 'fill' | 'cover' | 'contain'; color: 'rgb' | 'grayscale'; channels: number; skipInvalid: boolean; concurrency: number },
): Promise<Decoded[]> {
  // Loaded on first use: libvips is only needed when a folder is actually decoded.
  const { default: sharp } = await import('sharp');
  const out: Decoded[] = new Array(files.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const i = next++;
      const file = path.join(root, files[i]);
      try {
        let img = sharp(file, { failOn: 'truncated' }).removeAlpha();
        img = o.color === 'rgb' ? img.toColourspace('srgb') : img.grayscale();
        if (o.size) img = img.resize(o.size[1], o.size[0], { fit: o.fit, background: { r: 0, g: 0, b: 0 } });
        const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
        if (info.channels !== o.channels) throw new Error(`decoded to ${info.channels} channels, expected ${o.channels}`);
        out[i] = { ok: true, data, width: info.width, height: info.height };
      } catch (e) {
        const reason = (e as Error).message.trim().replace(/\s*\n\s*/g, '; ');
        if (!o.skipInvalid) {
          next = files.length; // stop the other workers
          throw new DatasetError(`${file}: cannot decode the image (${reason}); fix or remove it, or set skipInvalid: true to skip such files`);
        }
        out[i] = { ok: false, reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(o.concurrency, files.length) }, worker));
  return out;
}

function readEntry(entry: string, root: string): ImageFolder {
  const meta = JSON.parse(readFileSync(path.join(entry, 'meta.json'), 'utf8')) as { classes: string[]; files: string[]; skipped: ImageFolder['skipped'] };
  const images = readIdx(path.join(entry, 'images-idx4-ubyte'));
  const labels = readIdx(path.join(entry, 'labels-idx1-int'));
  const dataset = toDataset(images.data as Uint8Array, images.shape, labels.data as Int32Array, meta.classes, root);
  return { dataset, files: meta.files, skipped: meta.skipped, fromCache: true };
}

/** N×H×W×C bytes and labels as a dataset with x uint8 [N, C, H, W] (one permute + copy) and y int64. */
function toDataset(pixels: Uint8Array, nhwc: number[], labels: Int32Array, classes: string[], root: string): Dataset {
  const parts = tidy(() => ({
    x: tensor(pixels, nhwc).permute([0, 3, 1, 2]).contiguous(),
    y: tensor(labels, [labels.length]).to('int64'),
  }));
  return makeDataset({ name: path.basename(root), classes, ...parts });
}
