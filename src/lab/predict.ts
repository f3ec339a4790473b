// Predicting images with a saved model: each file is decoded and prepared as the training images were
// (size, colour, the stored preprocessing, flattening), and the model's class probabilities are returned.
import { Preprocessor, type PreprocessState } from '../data/index.js';
import { decodeImage, type DecodedImage } from '../data/decode-image.js';
import { NnlabError } from '../engine/errors.js';
import { noGrad, ops, tensor, tidy } from '../tensor/index.js';
import { loadModel } from '../train/model-io.js';

export interface Prediction {
  file: string;
  /** The most probable class and its probability. */
  class: string;
  probability: number;
  /** Every class's probability, by class name. */
  probabilities: Record<string, number>;
}

interface ModelInfo {
  classes?: string[];
  preprocess?: PreprocessState;
  sampleShape?: number[];
  flatten?: boolean;
}

export async function predictImages(modelDir: string, files: string[]): Promise<Prediction[]> {
  const { model, info } = loadModel(modelDir);
  try {
    const { classes, preprocess, sampleShape, flatten } = info as ModelInfo;
    if (!classes || !preprocess || !sampleShape || sampleShape.length !== 3) {
      throw new NnlabError(`${modelDir}: this model was not trained on images by \`nnlab run\` (its config.json has no classes, preprocessing or image shape)`);
    }
    const [c, h, w] = sampleShape;
    const { default: sharp } = await import('sharp');
    const decoded: DecodedImage[] = [];
    for (const file of files) {
      try {
        decoded.push(await decodeImage(sharp, file, { size: [h, w], fit: 'fill', color: c === 1 ? 'grayscale' : 'rgb', channels: c }));
      } catch (e) {
        throw new NnlabError(`${file}: cannot decode the image (${(e as Error).message.trim()})`);
      }
    }
    const probs = tidy(() =>
      noGrad(() => {
        const bytes = Buffer.concat(decoded.map((d) => d.data));
        const x = tensor(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), [files.length, h, w, c]).permute([0, 3, 1, 2]).contiguous();
        let input = Preprocessor.fromState(preprocess).apply(x);
        if (flatten) input = ops.flatten(input, 1);
        const out = model.forward(input, { training: false });
        const last = model.layers[model.layers.length - 1] as { activation?: { name: string } };
        const p = last.activation?.name === 'softmax' ? out : ops.softmax(out, -1);
        return p.toNumbers();
      }),
    );
    return files.map((file, i) => {
      const row = probs.slice(i * classes.length, (i + 1) * classes.length);
      const best = row.indexOf(Math.max(...row));
      return { file, class: classes[best], probability: row[best], probabilities: Object.fromEntries(classes.map((k, j) => [k, row[j]])) };
    });
  } finally {
    model.dispose();
  }
}
