// exportOnnx: a model (a stack of layers or a graph: layers.ts walks its connections) as an ONNX file for other
// runtimes (onnxruntime, TensorRT, a browser), opset 17, with a dynamic batch dimension. Its input `input` is a float32 batch of the model's input shape, as the model sees it
// after the run's preprocessing; its output `probabilities` is every class's probability, [N, C] (two columns
// for a one-unit binary head), what `nnlab predict` reads. The JSON beside it (model.onnx ->
// model.preprocess.json) names both and records how inputs are prepared.
//
// Both files are written atomically and together: each to a temp file beside it, then both renamed in, so a
// failed export leaves the previous files (or none), never half of one. A model with a layer that cannot be
// exported (a custom layer without an ONNX form, an adaptive pool whose windows differ in size) is refused,
// naming the layer, before anything is written.
import { renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, NnlabError } from '../../engine/errors.js';
import { nnlabVersion } from '../../engine/version.js';
import { clearStaleSiblings, syncDir, tempSibling, writeFileSynced } from '../../io/atomic.js';
import { encodeOnnx, type OnnxValue } from '../../io/onnx.js';
import type { Tensor } from '../../tensor/index.js';
import type { Model } from '../model.js';
import { outputHead, type OutputHead } from '../outputs.js';
import { OnnxGraph } from './graph.js';
import { headToOnnx } from './head.js';
import { layersToOnnx } from './layers.js';

export const ONNX_OPSET = 17;
/** The `format` of the preprocessing JSON. */
export const ONNX_PREPROCESS_FORMAT = 'nnlab.onnx-preprocess/1';
/** The names of the graph's input and output. */
export const ONNX_INPUT = 'input';
export const ONNX_OUTPUT = 'probabilities';

export interface OnnxExportOptions {
  /** What the model's outputs mean (a saved model's `output`); by default read from its last layer (outputHead). */
  head?: OutputHead;
  /** Fields added to the preprocessing JSON: how a run prepared its inputs (classes, preprocess, ...). */
  preprocessing?: Record<string, unknown>;
}

export interface OnnxExport {
  /** The .onnx file and the JSON written beside it. */
  file: string;
  preprocessingFile: string;
  input: OnnxValue;
  output: OnnxValue;
  /** Nodes and initializers in the graph. */
  nodes: number;
  initializers: number;
}

/** The preprocessing JSON beside an ONNX file: `model.onnx` -> `model.preprocess.json` (`net` -> `net.preprocess.json`). */
export function preprocessingFileFor(file: string): string {
  return `${file.replace(/\.onnx$/i, '')}.preprocess.json`;
}

/**
 * Checks that `file` can be written before any work: a folder, something that is not a regular file (a FIFO, a
 * device), or a file in a folder that does not exist is a ConfigError naming `field` (the CLI's --out).
 */
export function checkExportTarget(file: string, field = 'file'): void {
  for (const target of [file, preprocessingFileFor(file)]) {
    let stat;
    try {
      stat = statSync(target);
    } catch {
      const dir = path.dirname(path.resolve(target));
      let isDir = false;
      try {
        isDir = statSync(dir).isDirectory();
      } catch {
        // missing
      }
      if (!isDir) throw new ConfigError(field, `cannot write ${target}: the folder ${dir} does not exist`);
      continue;
    }
    if (stat.isDirectory()) throw new ConfigError(field, `${target} is a folder; give the name of the .onnx file to write`);
    if (!stat.isFile()) throw new ConfigError(field, `${target} is not a regular file (a FIFO, device or socket); give the name of the .onnx file to write`);
  }
}

/** Writes `model` to `file` (ONNX, opset 17) and its preprocessing JSON beside it; see the top of this file. */
export function exportOnnx(model: Model, file: string, options: OnnxExportOptions = {}): OnnxExport {
  checkExportTarget(file);
  const head = options.head ?? outputHead(model);
  const names = new Map<Tensor, string>(Object.entries(model.stateDict()).map(([name, t]) => [t, name]));
  const g = new OnnxGraph(names);
  const inputName = g.reserve(ONNX_INPUT);
  const outputName = g.reserve(ONNX_OUTPUT);
  g.output(headToOnnx(g, layersToOnnx(g, model, inputName), model.outputShape, head), outputName);

  const input: OnnxValue = { name: inputName, shape: ['batch', ...model.inputShape], doc: 'a float32 batch as the model sees it, after the preprocessing the JSON beside this file records' };
  const output: OnnxValue = { name: outputName, shape: ['batch', Math.max(head.units, 2)], doc: "every class's probability; each row sums to 1" };
  const jsonFile = preprocessingFileFor(file);
  const bytes = encodeOnnx({
    opset: ONNX_OPSET,
    producer: { name: 'nnlab', version: nnlabVersion() },
    graph: { name: 'nnlab', doc: `${model.layers.length} layers: ${model.layers.map((l) => l.type).join(', ')}`, nodes: g.nodes, initializers: g.initializers, inputs: [input], outputs: [output] },
    metadata: { preprocessing: path.basename(jsonFile) },
  });
  const json = `${JSON.stringify({ format: ONNX_PREPROCESS_FORMAT, model: path.basename(file), input: { name: input.name, shape: input.shape, dtype: 'float32' }, output: { name: output.name, shape: output.shape }, ...options.preprocessing }, null, 2)}\n`;
  writeBoth([
    [file, bytes],
    [jsonFile, Buffer.from(json)],
  ]);
  return { file, preprocessingFile: jsonFile, input, output, nodes: g.nodes.length, initializers: g.initializers.length };
}

/** Writes each file to a synced temp file beside it, then renames them all in: all of them or none. */
function writeBoth(files: [string, Uint8Array][]): void {
  clearStaleSiblings(files[0][0]); // what a killed export left beside the files
  const temps = files.map(([target]) => tempSibling(target, 'tmp'));
  try {
    files.forEach(([, bytes], i) => writeFileSynced(temps[i], bytes));
    files.forEach(([target], i) => renameSync(temps[i], target));
  } catch (e) {
    for (const t of temps) rmSync(t, { force: true });
    throw new NnlabError(`cannot write ${files.map(([f]) => f).join(' and ')}: ${(e as Error).message}`);
  }
  for (const dir of new Set(files.map(([f]) => path.dirname(path.resolve(f))))) syncDir(dir);
}

