// Image folders: one subfolder per class (root/cats/*.jpg, root/dogs/*.png, ...), JPEG, PNG or WebP, decoded
// with sharp into a uint8 dataset x [N, C, H, W] (C = 3 for RGB, 1 for grayscale; alpha is dropped). Class
// names are the subfolder names in sorted order. Images are decoded in parallel (bounded) and the result is
// cached: a later load of the same files with the same options reads one IDX file instead of decoding again.
//
// Only regular files are read (symlinks to them too): an entry with an image's extension that is a FIFO, a
// device or a folder is refused, never opened. Class and file names must be valid UTF-8, since they become
// class names and file names in outputs; another name is refused, naming the folder and the bytes.
//
// For a lab run (loadImageFolderTrainTest) the folder is either split already (root/train and root/test, with
// the same class folders) or flat (root/<class>/, as torchvision's ImageFolder takes it): then a fixed,
// stratified share of every class (testSplit, default 0.2) is sealed as the test set, the same for every run.
import { decodeImage, type DecodedImage } from './decode-image.js';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, type Stats } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '../engine/errors.js';
import { readFields, type FieldSpec } from '../engine/fields.js';
import { readIdx, writeIdx } from '../io/idx.js';
import { FileReadError } from '../io/regular-file.js';
import { tensor, tidy } from '../tensor/index.js';
import { sizePair, type Size } from './augment.js';
import { cacheDir, writeDirAtomic, writeFileAtomic } from './cache.js';
import { DatasetError, disposeDataset, makeDataset, subset, type Dataset } from './dataset.js';
import { fixedPermutation } from './random.js';
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
  /**
   * A flat folder (no train/ and test/ subfolders) as a lab's data: the share of every class sealed as the test
   * set, in (0, 1) (default 0.2); chosen by a fixed seed, so every run and study tests on the same images.
   */
  testSplit?: number;
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
  testSplit: { type: 'optionalNumber', min: 0, exclusiveMin: true, below: 1 },
};
const DEFAULT_TEST_SPLIT = 0.2;
/** Seeds the test hold-out of a flat folder (with the class index): fixed, so the test set never moves. */
const TEST_SEED = 20240917;
const EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp']);
const FORMAT = 'v1';

/** Loads an image folder as a dataset (see the file comment). */
export async function loadImageFolder(config: ImageFolderConfig, cfgPath = 'data'): Promise<ImageFolder> {
  const c = readConfig(config, cfgPath);
  const size = c.size === undefined ? null : sizePair(c.size, `${cfgPath}.size`);
  const { fit, color, skipInvalid, cache: useCache } = c as Required<ImageFolderConfig>;
  const concurrency = c.concurrency ?? os.availableParallelism();

  const root = path.resolve(c.path);
  const { classes, files, labels, stats } = listImages(root, skipInvalid);
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

/**
 * A lab's image data: the training set and the sealed test set, with the files of both. root/train and
 * root/test (the same class folders), or a flat root/<class>/ folder with `testSplit` of every class held out.
 */
export async function loadImageFolderTrainTest(config: ImageFolderConfig, cfgPath = 'data'): Promise<{ train: Dataset; test: TestSet; files: { train: string[]; test: string[] } }> {
  const c = readConfig(config, cfgPath);
  const name = path.basename(path.resolve(c.path));
  if (!isFolder(path.join(c.path, 'train'))) return loadFlat(c, name, cfgPath);
  if (c.testSplit !== undefined) {
    throw new ConfigError(`${cfgPath}.testSplit`, `${c.path} has its own train/ and test/ folders; testSplit is for a flat folder of class folders`);
  }
  const train = await loadImageFolder({ ...c, path: path.join(c.path, 'train') }, cfgPath);
  const test = await loadImageFolder({ ...c, path: path.join(c.path, 'test') }, cfgPath);
  if (train.dataset.classes.join('\n') !== test.dataset.classes.join('\n')) {
    for (const d of [train.dataset, test.dataset]) disposeDataset(d);
    throw new DatasetError(
      `${c.path}: train and test have different class folders: train [${train.dataset.classes.join(', ')}], test [${test.dataset.classes.join(', ')}]`,
    );
  }
  return {
    train: { ...train.dataset, name: `${name}/train` },
    test: new TestSet({ ...test.dataset, name: `${name}/test` }),
    files: { train: train.files, test: test.files },
  };
}

/** A flat folder: every image loaded, then a fixed stratified share of each class sealed as the test set. */
async function loadFlat(c: ImageFolderConfig, name: string, cfgPath: string): Promise<{ train: Dataset; test: TestSet; files: { train: string[]; test: string[] } }> {
  const all = await loadImageFolder(c, cfgPath);
  try {
    const labels = all.dataset.y.toNumbers();
    const { train, test } = holdOutTest(labels, all.dataset.classes, c.testSplit ?? DEFAULT_TEST_SPLIT, path.resolve(c.path), `${cfgPath}.testSplit`);
    return {
      train: subset(all.dataset, train, `${name}/train`),
      test: new TestSet(subset(all.dataset, test, `${name}/test`)),
      files: { train: train.map((i) => all.files[i]), test: test.map((i) => all.files[i]) },
    };
  } finally {
    disposeDataset(all.dataset);
  }
}

/**
 * Sample indices (ascending) of the training part and of the test part: round(fraction · n) images of every
 * class (at least 1, and at least 1 left for training), chosen by a permutation fixed by (TEST_SEED, class).
 */
function holdOutTest(labels: number[], classes: readonly string[], fraction: number, root: string, at: string): { train: number[]; test: number[] } {
  const byClass = classes.map(() => [] as number[]);
  labels.forEach((k, i) => byClass[k].push(i));
  const inTest = new Set<number>();
  byClass.forEach((members, k) => {
    if (members.length < 2) {
      throw new ConfigError(at, `${path.join(root, classes[k])} holds ${members.length} image; a flat folder's test split needs at least 2 per class (or give root/train and root/test folders)`);
    }
    const take = Math.min(members.length - 1, Math.max(1, Math.round(fraction * members.length)));
    const order = fixedPermutation(members.length, TEST_SEED + k);
    for (let j = 0; j < take; j++) inTest.add(members[order[j]]);
  });
  const train: number[] = [];
  const test: number[] = [];
  labels.forEach((_, i) => (inTest.has(i) ? test : train).push(i));
  return { train, test };
}

function isFolder(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** The config checked, in nnlab's spelling, with defaults filled in (size, concurrency and cacheDir only when given). */
function readConfig(config: ImageFolderConfig, cfgPath: string): ImageFolderConfig {
  const f = readFields(config, FIELDS, cfgPath, 'the image folder', { named: false });
  return Object.fromEntries(Object.entries(f).filter(([, v]) => v !== null)) as unknown as ImageFolderConfig;
}

/** Bytes of a name as readable text: printable ASCII as is, anything else as \xNN. */
function escapeBytes(name: Buffer): string {
  return [...name].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`)).join('');
}

/** The entries of a folder (dot files left out) as text; a name that is not valid UTF-8 is refused. */
function entries(dir: string): string[] {
  let names: Buffer[];
  try {
    names = readdirSync(dir, { encoding: 'buffer' });
  } catch (e) {
    throw new DatasetError(`${dir}: cannot read the folder (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return names
    .map((raw) => {
      const name = raw.toString('utf8');
      if (!Buffer.from(name, 'utf8').equals(raw)) {
        throw new ConfigError('', `the name '${escapeBytes(raw)}' is not valid UTF-8; rename it (class and image names must be text)`, dir);
      }
      return name;
    })
    .filter((name) => !name.startsWith('.'));
}

/** What an entry is, symlinks followed (null: a dangling link or gone); stat never opens, so a FIFO cannot block it. */
function statOf(p: string): Stats | null {
  try {
    return statSync(p);
  } catch {
    return null;
  }
}

/** What a non-regular file is, in words. */
function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * Class folders (sorted) and their image files (sorted, relative to root, with their stats); clear errors for
 * bad folders. An entry named like an image that is not a regular file is refused (skipped, with a warning,
 * under skipInvalid).
 */
function listImages(root: string, skipInvalid: boolean): { classes: string[]; files: string[]; labels: number[]; stats: Stats[] } {
  const classes = entries(root)
    .filter((e) => statOf(path.join(root, e))?.isDirectory())
    .sort();
  if (classes.length === 0) throw new DatasetError(`${root}: no class folders; expected one subfolder per class (e.g. ${path.join(root, 'cats')})`);
  const files: string[] = [];
  const labels: number[] = [];
  const stats: Stats[] = [];
  const refused: string[] = [];
  classes.forEach((c, k) => {
    const images = entries(path.join(root, c))
      .filter((e) => EXTENSIONS.has(path.extname(e).toLowerCase()))
      .sort()
      .flatMap((e) => {
        const file = path.join(root, c, e);
        const st = statOf(file);
        if (st?.isFile()) return [{ e, st }];
        const why = st ? `is ${kindOf(st)}, not an image file` : 'is a link to nothing';
        if (!skipInvalid) throw new ConfigError('', `${why}; an image folder holds regular image files only (or set skipInvalid: true to skip such entries)`, file);
        refused.push(`  ${path.join(c, e)}: ${why}`);
        return [];
      });
    if (images.length === 0) throw new DatasetError(`${path.join(root, c)}: class folder '${c}' holds no images (.jpg, .jpeg, .png, .webp)`);
    for (const { e, st } of images) {
      files.push(path.join(c, e));
      labels.push(k);
      stats.push(st);
    }
  });
  if (refused.length > 0) process.emitWarning(`nnlab: skipped ${refused.length} entry(ies) that are not image files in ${root}:\n${refused.join('\n')}`);
  return { classes, files, labels, stats };
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
        const reason = e instanceof FileReadError ? e.reason : (e as Error).message.trim().replace(/\s*\n\s*/g, '; ');
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
