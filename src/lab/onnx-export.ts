// Exporting a saved model folder (a run's, or one modelCheckpoint wrote) to ONNX: the model as predict loads it,
// its output head (what its outputs mean) from the folder, and the JSON beside the .onnx file recording how an
// image becomes the model's input, from what the run stored with the model.
import { exportOnnx, type OnnxExport } from '../nn/onnx/export.js';
import { loadModel } from '../train/model-io.js';
import { headOf } from './predict.js';

/** How the fields of the preprocessing JSON turn an image into the model's input, in the order they apply. */
export const PREPARE_INPUT =
  'As `nnlab predict` prepares an image: decode it to sampleShape [channels, height, width] (resized to fill ' +
  'height x width, grayscale for 1 channel, RGB for 3), pixel values 0-255 as float32, channels first; apply ' +
  "preprocess (config.name 'none': as is; 'scale': divide by 255; 'standardize': subtract mean and divide by std, " +
  "per channel (one value each) or over everything (one value)); apply transforms in order; flatten each image " +
  'to one row when flatten is true. Stack the images into a batch of input.shape: that is the input; the output ' +
  "is every class's probability, in the order of classes.";

/** Writes the model of folder `dir` to `file` (ONNX) and its preprocessing JSON beside it. */
export function exportModelFolder(dir: string, file: string): OnnxExport {
  const { model, info } = loadModel(dir);
  try {
    const { classes, sampleShape, preprocess, transforms, flatten } = info as Record<string, unknown>;
    return exportOnnx(model, file, {
      head: headOf(model, info),
      preprocessing: { prepare: PREPARE_INPUT, classes, sampleShape, preprocess, transforms: transforms ?? [], flatten: flatten ?? false },
    });
  } finally {
    model.dispose();
  }
}
