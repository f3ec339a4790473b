// The ONNX file format: a model description (nodes, weights, inputs and outputs) encoded as ONNX's ModelProto
// by onnx-proto (ONNX's protobuf definitions, compiled for protobufjs), never by hand. What the nodes compute is
// the exporter's business (nn/onnx/); this file only knows the format.
//
// Weights are stored as raw_data, little-endian as the format requires (the byte order of every machine nnlab
// runs on). Opset 17 is paired with IR version 8, as ONNX's version table pairs them (onnx 1.12).
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/** ONNX's IR version for opset 17. */
export const ONNX_IR_VERSION = 8;

/** An attribute of a node, with its ONNX type (a JS number alone cannot say int or float). */
export type OnnxAttribute =
  | { type: 'int'; value: number }
  | { type: 'float'; value: number }
  | { type: 'ints'; value: readonly number[] }
  | { type: 'floats'; value: readonly number[] }
  | { type: 'string'; value: string }
  | { type: 'strings'; value: readonly string[] };

export const int = (value: number): OnnxAttribute => ({ type: 'int', value });
export const float = (value: number): OnnxAttribute => ({ type: 'float', value });
export const ints = (value: readonly number[]): OnnxAttribute => ({ type: 'ints', value });
export const str = (value: string): OnnxAttribute => ({ type: 'string', value });
export const strs = (value: readonly string[]): OnnxAttribute => ({ type: 'strings', value });

export interface OnnxNode {
  op: string;
  name: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attributes: Readonly<Record<string, OnnxAttribute>>;
}

/** A constant tensor of the graph (a weight, a buffer, a constant operand). */
export interface OnnxInitializer {
  name: string;
  dims: readonly number[];
  data: Float32Array | BigInt64Array;
}

/** A graph input or output: float32, with its shape; a string is a symbolic dimension (the batch). */
export interface OnnxValue {
  name: string;
  shape: readonly (number | string)[];
  doc?: string;
}

export interface OnnxModel {
  opset: number;
  producer: { name: string; version: string };
  graph: {
    name: string;
    doc?: string;
    nodes: readonly OnnxNode[];
    initializers: readonly OnnxInitializer[];
    inputs: readonly OnnxValue[];
    outputs: readonly OnnxValue[];
  };
  /** The model's metadata_props: short strings a runtime shows (class names, ...). */
  metadata?: Readonly<Record<string, string>>;
}

const ATTRIBUTE_TYPES = {
  float: onnx.AttributeProto.AttributeType.FLOAT,
  int: onnx.AttributeProto.AttributeType.INT,
  string: onnx.AttributeProto.AttributeType.STRING,
  floats: onnx.AttributeProto.AttributeType.FLOATS,
  ints: onnx.AttributeProto.AttributeType.INTS,
  strings: onnx.AttributeProto.AttributeType.STRINGS,
} as const;

function attribute(name: string, a: OnnxAttribute): InstanceType<typeof onnx.AttributeProto> {
  const type = ATTRIBUTE_TYPES[a.type];
  switch (a.type) {
    case 'int':
      return onnx.AttributeProto.create({ name, type, i: a.value });
    case 'float':
      return onnx.AttributeProto.create({ name, type, f: a.value });
    case 'ints':
      return onnx.AttributeProto.create({ name, type, ints: [...a.value] });
    case 'floats':
      return onnx.AttributeProto.create({ name, type, floats: [...a.value] });
    case 'string':
      return onnx.AttributeProto.create({ name, type, s: new TextEncoder().encode(a.value) });
    case 'strings':
      return onnx.AttributeProto.create({ name, type, strings: a.value.map((v) => new TextEncoder().encode(v)) });
  }
}

function initializer(t: OnnxInitializer) {
  const dataType = t.data instanceof Float32Array ? onnx.TensorProto.DataType.FLOAT : onnx.TensorProto.DataType.INT64;
  return onnx.TensorProto.create({
    name: t.name,
    dims: [...t.dims],
    dataType,
    rawData: new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength),
  });
}

function valueInfo(v: OnnxValue) {
  return onnx.ValueInfoProto.create({
    name: v.name,
    ...(v.doc ? { docString: v.doc } : {}),
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: v.shape.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  });
}

/** The model as the bytes of an .onnx file. */
export function encodeOnnx(model: OnnxModel): Uint8Array {
  const { graph } = model;
  const proto = onnx.ModelProto.create({
    irVersion: ONNX_IR_VERSION,
    opsetImport: [{ domain: '', version: model.opset }],
    producerName: model.producer.name,
    producerVersion: model.producer.version,
    metadataProps: Object.entries(model.metadata ?? {}).map(([key, value]) => ({ key, value })),
    graph: {
      name: graph.name,
      ...(graph.doc ? { docString: graph.doc } : {}),
      node: graph.nodes.map((n) => ({
        opType: n.op,
        name: n.name,
        input: [...n.inputs],
        output: [...n.outputs],
        attribute: Object.entries(n.attributes).map(([name, a]) => attribute(name, a)),
      })),
      initializer: graph.initializers.map(initializer),
      input: graph.inputs.map(valueInfo),
      output: graph.outputs.map(valueInfo),
    },
  });
  return onnx.ModelProto.encode(proto).finish();
}

