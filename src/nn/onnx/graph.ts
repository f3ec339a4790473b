// The ONNX graph a model is written into: layers add nodes and weights (Layer.toOnnx) and get back the names of
// the values they produce. Weights go in as initializers under the model's state-dict names (`0.weight`,
// `3.running_var`: PyTorch's names and layout, as the safetensors file has them); nodes and the constants a
// layer needs are named after the layer (`dense_1/Gemm`, `activation_2.gelu_half`), so a runtime's errors and
// a viewer's graph point at the layer they came from.
import { tidy, type Tensor } from '../../tensor/index.js';
import type { OnnxAttribute, OnnxInitializer, OnnxNode } from '../../io/onnx.js';

export class OnnxGraph {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxInitializer[] = [];
  /** Every value, initializer and node name given so far (ONNX wants each unique). */
  private readonly taken = new Set<string>();
  /** Weights already written, so a tensor used twice is stored once. */
  private readonly written = new Map<Tensor, string>();
  /** The layer whose nodes are being added: node and constant names start with it. */
  private scope = 'model';

  /** `weightNames`: each weight and buffer tensor's state-dict name (from the model's stateDict()). */
  constructor(private readonly weightNames: ReadonlyMap<Tensor, string>) {}

  /** A name not used yet, `base` itself if free, else `base_2`, `base_3`... */
  unique(base: string): string {
    let name = base;
    for (let i = 2; this.taken.has(name); i++) name = `${base}_${i}`;
    this.taken.add(name);
    return name;
  }

  /** Starts the nodes of layer `name` (the model calls it before each layer's toOnnx). */
  enter(name: string): void {
    this.scope = name;
  }

  /** A layer's weight or buffer as a float32 initializer under its state-dict name; returns that name. */
  weight(t: Tensor): string {
    const done = this.written.get(t);
    if (done !== undefined) return done;
    const name = this.unique(this.weightNames.get(t) ?? `${this.scope}.weight`);
    this.initializers.push({ name, dims: [...t.shape], data: this.values(t) });
    this.written.set(t, name);
    return name;
  }

  /** A tensor's values as float32 on the CPU, for a layer that lays its weights out as an operator wants them. */
  values(t: Tensor): Float32Array {
    return tidy(() => t.to({ device: 'cpu', dtype: 'float32' }).toTypedArray()) as Float32Array;
  }

  /** A float32 constant (a scalar by default) named after the layer: `<layer>.<what>`. */
  constant(what: string, values: ArrayLike<number>, dims: readonly number[] = []): string {
    const name = this.unique(`${this.scope}.${what}`);
    this.initializers.push({ name, dims, data: Float32Array.from(values) });
    return name;
  }

  /** An int64 constant (shapes and axes that ONNX takes as inputs), named after the layer. */
  int64(what: string, values: readonly number[], dims: readonly number[] = [values.length]): string {
    const name = this.unique(`${this.scope}.${what}`);
    this.initializers.push({ name, dims, data: BigInt64Array.from(values, (v) => BigInt(v)) });
    return name;
  }

  /**
   * A node of ONNX operator `op` (opset 17) on the named inputs ('' for an optional input left out); returns
   * the name of its output.
   */
  node(op: string, inputs: readonly string[], attributes: Readonly<Record<string, OnnxAttribute>> = {}): string {
    return this.nodeOutputs(op, inputs, 1, attributes)[0];
  }

  /**
   * A node with `count` outputs (LSTM's Y, Y_h, ...): the first is named after the node, the others
   * `<node>:1`, `<node>:2`, ...; returns their names.
   */
  nodeOutputs(op: string, inputs: readonly string[], count: number, attributes: Readonly<Record<string, OnnxAttribute>> = {}): string[] {
    const name = this.unique(`${this.scope}/${op}`);
    const outputs = [name, ...Array.from({ length: count - 1 }, (_, i) => this.unique(`${name}:${i + 1}`))];
    this.nodes.push({ op, name, inputs, outputs, attributes });
    return outputs;
  }

  /** Marks a name as taken (the graph's input and output), so no node or weight is given it. */
  reserve(name: string): string {
    if (this.taken.has(name)) throw new Error(`ONNX graph: the name '${name}' is taken`);
    this.taken.add(name);
    return name;
  }

  /**
   * Makes `value` the graph output `name` (reserved beforehand): the node that computes it writes `name`
   * instead, or, where no node does (the graph's input passed through), an Identity node.
   */
  output(value: string, name: string): void {
    const i = this.nodes.findIndex((n) => n.outputs.includes(value));
    if (i < 0) {
      this.nodes.push({ op: 'Identity', name: this.unique(`${name}/Identity`), inputs: [value], outputs: [name], attributes: {} });
      return;
    }
    this.nodes[i] = { ...this.nodes[i], outputs: this.nodes[i].outputs.map((o) => (o === value ? name : o)) };
    for (const [k, n] of this.nodes.entries()) {
      if (n.inputs.includes(value)) this.nodes[k] = { ...n, inputs: n.inputs.map((x) => (x === value ? name : x)) };
    }
  }
}
