// Image folders: one subfolder per class (root/cats/*.jpg, root/dogs/*.png, ...), JPEG, PNG or WebP, decoded
// with sharp into a uint8 dataset x [N, C, H, W] (C = 3 for RGB, 1 for grayscale; alpha is dropped). Class
// names are the subfolder names in sorted order. Images are decoded in parallel (bounded) and the result is
// cached: a later load of the same files with the same options reads one IDX file instead of decoding again.
import { decodeImage, type DecodedImage } from './decode-image.js';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readFields, type FieldSpec } from '../engine/fields.js';
import { readIdx, writeIdx } from '../io/idx.js';
import { tensor, tidy } from '../tensor/index.js';
import { sizePair, type Size } from './augment.js';
import { cacheDir, writeDirAtomic, writeFileAtomic } from './cache.js';
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

const FIELDS: Record<keyof ImageFolderConfig, FieldSpec> = {
  path: { type: 'string', required: true },
  size: { type: 'any' },
  fit: { type: 'choice', default: 'fill', choices: ['fill', 'cover', 'contain'] },
  color: { type: 'choice', default: 'rgb', choices: ['rgb', 'grayscale'] },
  skipInvalid: { type: 'boolean', default: false },
  concurrency: { type: 'optionalInteger', min: 1, max: 256 },
  cache: { type: 'boolean', default: true },
  cacheDir: { type: 'string' },
};
const EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp']);
const FORMAT = 'v1';

/** Loads an image folder as a dataset (see the file comment). */
export async function loadImageFolder(config: ImageFolderConfig, cfgPath = 'data'): Promise<ImageFolder> {
  const c = readConfig(config, cfgPath);
  const size = c.size === undefined ? null : sizePair(c.size, `${cfgPath}.size`);
  const { fit, color, skipInvalid, cache: useCache } = c as Required<ImageFolderConfig>;
  const concurrency = c.concurrency ?? os.availableParallelism();

  const root = path.resolve(c.path);
  const { classes, files, labels } = listImages(root);
  const stats = files.map((f) => statSync(path.join(root, f)));
  const key = createHash('sha1')
    .update(JSON.stringify({ FORMAT, root, size, fit, color, skipInvalid, files: files.map((f, i) => [f, stats[i].size, stats[i].mtimeMs]) }))
    .digest('hex')
    .slice(0, 20);
  const entry = path.join(cacheDir(c.cacheDir), 'image-folder', `${path.basename(root)}-${key}`);
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
  const c = readConfig(config, cfgPath);
  const train = await loadImageFolder({ ...c, path: path.join(c.path, 'train') }, cfgPath);
  const test = await loadImageFolder({ ...c, path: path.join(c.path, 'test') }, cfgPath);
  if (train.dataset.classes.join('\n') !== test.dataset.classes.join('\n')) {
    for (const d of [train.dataset, test.dataset]) {
      d.x.dispose();
      d.y.dispose();
    }
    throw new DatasetError(
      `${c.path}: train and test have different class folders: train [${train.dataset.classes.join(', ')}], test [${test.dataset.classes.join(', ')}]`,
    );
  }
  const name = path.basename(path.resolve(c.path));
  return {
    train: { ...train.dataset, name: `${name}/train` },
    test: new TestSet({ ...test.dataset, name: `${name}/test` }),
    files: { train: train.files, test: test.files },
  };
}

/** The config checked, in nnlab's spelling, with defaults filled in (size, concurrency and cacheDir only when given). */
function readConfig(config: ImageFolderConfig, cfgPath: string): ImageFolderConfig {
  const f = readFields(config, FIELDS, cfgPath, 'the image folder', { named: false });
  return Object.fromEntries(Object.entries(f).filter(([, v]) => v !== null)) as unknown as ImageFolderConfig;
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

type Decoded = ({ ok: true } & DecodedImage) | { ok: false; reason: string };

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
        out[i] = { ok: true, ...(await decodeImage(sharp, file, o)) };
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
