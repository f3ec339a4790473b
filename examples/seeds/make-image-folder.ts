// Makes a two-class RGB image folder like seed 002's dogs-vs-cats download, from data that is on this machine
// (no photos can be fetched here): Fashion-MNIST's pullovers play the cats and its coats the dogs, two classes
// a CNN tells apart well but not perfectly. Each 28×28 grey image becomes a colour picture of its own size
// (a random garment colour on a random background of another brightness, stretched to roughly `size` pixels,
// some wider, some taller), written as PNG or JPEG, in torchvision's ImageFolder layout:
//
//   <out>/train/cats/*.png|jpg  <out>/train/dogs/...  <out>/test/cats/...  <out>/test/dogs/...
//
//   npm run build && node dist/examples/seeds/make-image-folder.js examples/seeds/data/pets [--per-class 1000]
//        [--test-per-class 250] [--size 64] [--seed 1]
//
// Running it again with the same options leaves the folder as it is; a folder it did not make is refused.
// Any folder of your own photos in the same layout works in examples/seeds/002-dogs-vs-cats.yaml instead.
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadBuiltin } from '../../src/data/builtin/index.js';
import { mulberry32 } from '../../src/data/random.js';
import { disposeDataset, type Dataset } from '../../src/data/index.js';
import { tidy } from '../../src/tensor/index.js';

const CLASSES = [
  { folder: 'cats', source: 'Pullover' },
  { folder: 'dogs', source: 'Coat' },
];
const MARKER = '.nnlab-image-folder.json';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'per-class': { type: 'string', default: '1000' },
    'test-per-class': { type: 'string', default: '250' },
    size: { type: 'string', default: '64' },
    seed: { type: 'string', default: '1' },
  },
});
const count = (name: string, v: string | undefined, min: number) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) {
    process.stderr.write(`make-image-folder: --${name} must be an integer >= ${min}, got '${v}'\n`);
    process.exit(2);
  }
  return n;
};
if (positionals.length !== 1) {
  process.stderr.write('usage: node dist/examples/seeds/make-image-folder.js <out folder> [--per-class N] [--test-per-class N] [--size PX] [--seed S]\n');
  process.exit(2);
}
const out = path.resolve(positionals[0]);
const options = {
  perClass: count('per-class', values['per-class'], 1),
  testPerClass: count('test-per-class', values['test-per-class'], 1),
  size: count('size', values.size, 8),
  seed: count('seed', values.seed, 0),
  classes: CLASSES,
};
if (options.perClass > 6000 || options.testPerClass > 1000) {
  process.stderr.write('make-image-folder: Fashion-MNIST has 6000 training and 1000 test images per class here\n');
  process.exit(2);
}

if (existsSync(out) && readdirSync(out).length > 0) {
  const marker = path.join(out, MARKER);
  if (!existsSync(marker)) {
    process.stderr.write(`make-image-folder: ${out} holds other files; give a new or empty folder\n`);
    process.exit(2);
  }
  if (readFileSync(marker, 'utf8') === JSON.stringify(options)) {
    process.stdout.write(`${out}: already made with these options\n`);
    process.exit(0);
  }
  rmSync(out, { recursive: true }); // made by an earlier run with other options
}

const { default: sharp } = await import('sharp');
const random = mulberry32(options.seed);
const colour = () => [0, 1, 2].map(() => Math.floor(random() * 256));
const luma = (c: number[]) => 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2];

/** A random garment colour and a random background that differ in brightness by at least 80 of 255. */
function scheme(): [number[], number[]] {
  for (;;) {
    const [fg, bg] = [colour(), colour()];
    if (Math.abs(luma(fg) - luma(bg)) >= 80) return [fg, bg];
  }
}

/** One grey 28×28 image as an RGB picture of a random colour scheme and size. */
async function writePicture(grey: Uint8Array, file: string): Promise<void> {
  const [fg, bg] = scheme();
  const rgb = Buffer.alloc(28 * 28 * 3);
  for (let p = 0; p < 28 * 28; p++) {
    const a = grey[p] / 255;
    for (let c = 0; c < 3; c++) rgb[p * 3 + c] = Math.round(bg[c] * (1 - a) + fg[c] * a);
  }
  const side = () => Math.round(options.size * (0.8 + 0.4 * random()));
  const img = sharp(rgb, { raw: { width: 28, height: 28, channels: 3 } }).resize(side(), side(), { fit: 'fill', kernel: 'cubic' });
  await (file.endsWith('.jpg') ? img.jpeg({ quality: 90 }) : img.png()).toFile(file);
}

/** The first `n` images of a class (in the dataset's order), as bytes. */
function imagesOf(ds: Dataset, className: string, n: number): Uint8Array[] {
  const k = ds.classes.indexOf(className);
  const labels = ds.y.toNumbers();
  const picks = labels.flatMap((l, i) => (l === k ? [i] : [])).slice(0, n);
  return picks.map((i) => tidy(() => ds.x.select(0, i).contiguous().toTypedArray() as Uint8Array).slice());
}

const { train, test } = loadBuiltin('fashion-mnist');
const testImages = test.finalEvaluation((t) => CLASSES.map((c) => imagesOf(t, c.source, options.testPerClass)));
test.dispose();
const trainImages = CLASSES.map((c) => imagesOf(train, c.source, options.perClass));
disposeDataset(train);

let written = 0;
for (const [split, images] of [['train', trainImages], ['test', testImages]] as const) {
  for (const [k, c] of CLASSES.entries()) {
    const dir = path.join(out, split, c.folder);
    mkdirSync(dir, { recursive: true });
    for (const [i, grey] of images[k].entries()) {
      await writePicture(grey, path.join(dir, `${c.folder.slice(0, -1)}.${String(i).padStart(4, '0')}.${i % 2 ? 'jpg' : 'png'}`));
      written++;
    }
  }
}
writeFileSync(path.join(out, MARKER), JSON.stringify(options));
process.stdout.write(`${out}: ${written} images (${CLASSES.map((c) => `${c.folder} = Fashion-MNIST ${c.source}`).join(', ')}), ` +
  `${options.perClass} + ${options.testPerClass} per class, about ${options.size} px\n`);
