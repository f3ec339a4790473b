// Predicting images with a saved model: each file is decoded and prepared as the training images were
// (size, colour, the stored preprocessing, flattening or rows as a sequence), and the model's class probabilities are returned.
// The folder is a run's model or one that modelCheckpoint wrote during a run (both carry the classes,
// preprocessing and image shape). Weights are checked as they load (model-io.ts); an output that is not a
// finite number is an error naming the file, never a prediction.
import { imagesAsSequences, Preprocessor, type PreprocessState } from '../data/index.js';
import { decodeImage, type DecodedImage } from '../data/decode-image.js';
import { applyFixed, type AugmentStep } from '../data/augment.js';
import { ConfigError, NnlabError } from '../engine/errors.js';
import { FileReadError } from '../io/regular-file.js';
import { noGrad, ops, tensor, tidy } from '../tensor/index.js';
import { loadModel } from '../train/model-io.js';
import type { Model } from '../nn/model.js';
import { classProbabilities, outputHead, type OutputHead } from '../nn/outputs.js';

export interface Prediction {
  file: string;
  /** The most probable class and its probability. */
  class: string;
  probability: number;
  /** Every class's probability, by class name. */
  probabilities: Record<string, number>;
}

/** The output head a run saved with its model (older models: read from the model's last layer). */
export function headOf(model: Model, info: Record<string, unknown>): OutputHead {
  return (info.output as OutputHead | undefined) ?? outputHead(model);
}

interface ModelInfo {
  classes?: string[];
  preprocess?: PreprocessState;
  sampleShape?: number[];
  flatten?: boolean;
  /** 'sequence': the model reads each image as a sequence of its rows. */
  view?: 'image' | 'sequence';
  output?: OutputHead;
  /** Steps applied after preprocessing (the augmentation's fixed ones). */
  transforms?: AugmentStep[];
}

export async function predictImages(modelDir: string, files: string[]): Promise<Prediction[]> {
  const { model, info } = loadModel(modelDir);
  try {
    const { classes, preprocess, sampleShape, flatten, view, transforms } = info as ModelInfo;
    if (!classes || !preprocess || !sampleShape || sampleShape.length !== 3) {
      throw new NnlabError(
        `${modelDir}: this model was not trained on images by \`nnlab run\` (its config.json has no classes, preprocessing or image shape); give a run's model (--run) or a modelCheckpoint folder of a run`,
      );
    }
    const [c, h, w] = sampleShape;
    const { default: sharp } = await import('sharp');
    const decoded: DecodedImage[] = [];
    for (const file of files) {
      try {
        decoded.push(await decodeImage(sharp, file, { size: [h, w], fit: 'fill', color: c === 1 ? 'grayscale' : 'rgb', channels: c }));
      } catch (e) {
        // Not a regular file (a FIFO, a device, a folder), missing or too large: a mistake in the call.
        if (e instanceof FileReadError) throw new ConfigError('', e.reason, file);
        throw new NnlabError(`${file}: cannot decode the image (${(e as Error).message.trim()})`);
      }
    }
    const head = headOf(model, info);
    if (classes.length !== Math.max(head.units, 2)) {
      throw new NnlabError(`${modelDir}: the model has ${head.units} output unit(s) for ${classes.length} classes (${classes.join(', ')})`);
    }
    const probs = tidy(() =>
      noGrad(() => {
        const bytes = Buffer.concat(decoded.map((d) => d.data));
        const x = tensor(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), [files.length, h, w, c]).permute([0, 3, 1, 2]).contiguous();
        let input = Preprocessor.fromState(preprocess).apply(x);
        if (transforms && transforms.length > 0) input = applyFixed(input, transforms);
        if (flatten) input = ops.flatten(input, 1);
        if (view === 'sequence') input = imagesAsSequences(input);
        return classProbabilities(model.forward(input, { training: false }), head).toNumbers();
      }),
    );
    return files.map((file, i) => {
      const row = probs.slice(i * classes.length, (i + 1) * classes.length);
      if (!row.every(Number.isFinite)) {
        throw new NnlabError(`${modelDir}: the model's output for ${file} is not a number (${row.map(String).join(', ')}): its weights or preprocessing are broken; no prediction`);
      }
      const best = row.indexOf(Math.max(...row));
      return { file, class: classes[best], probability: row[best], probabilities: Object.fromEntries(classes.map((k, j) => [k, row[j]])) };
    });
  } finally {
    model.dispose();
  }
}
