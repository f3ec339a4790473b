// Checking exported ONNX files in tests: onnxruntime-node (a dev dependency; its CPU binaries ship in the npm
// package) runs them, and python3-onnx's checker (Debian's, installed by `scripts/setup.sh --dev`) validates
// them with full shape inference. A missing checker is a test failure with the fix, never a skip.
import { spawnSync } from 'node:child_process';
import ort from 'onnxruntime-node';

/** Runs the model in `file` on one float32 input; returns its first output, flattened, and the output's dims. */
export async function runOnnx(file: string, input: { name: string; data: Float32Array; dims: number[] }): Promise<{ data: number[]; dims: number[]; name: string }> {
  // One thread, as the tests run libtorch: the machine is small and the tests share it.
  const session = await ort.InferenceSession.create(file, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  try {
    const out = await session.run({ [input.name]: new ort.Tensor('float32', input.data, input.dims) });
    const name = session.outputNames[0];
    const t = out[name];
    return { name, data: Array.from(t.data as Float32Array), dims: [...t.dims] };
  } finally {
    await session.release();
  }
}

let found: string | undefined;

/** A Python that can import onnx: NNLAB_PYTHON, then Debian's /usr/bin/python3, then python3 on PATH. */
function onnxPython(): string {
  if (found) return found;
  const candidates = [process.env.NNLAB_PYTHON, '/usr/bin/python3', 'python3'].filter((p): p is string => !!p);
  for (const py of candidates) {
    if (spawnSync(py, ['-c', 'import onnx'], { encoding: 'utf8' }).status === 0) return (found = py);
  }
  throw new Error(`no Python with onnx found (tried ${candidates.join(', ')}); install it with \`bash scripts/setup.sh --dev\` (Debian python3-onnx)`);
}

export interface CheckedOnnx {
  irVersion: number;
  opset: number;
  /** Each graph input and output with its dims: a number, or the name of a symbolic dimension. */
  inputs: { name: string; dims: (number | string)[] }[];
  outputs: { name: string; dims: (number | string)[] }[];
  initializers: string[];
  ops: string[];
}

const CHECK = `
import json, sys, onnx
m = onnx.load(sys.argv[1])
onnx.checker.check_model(m, full_check=True)
dims = lambda v: [d.dim_param if d.HasField('dim_param') else d.dim_value for d in v.type.tensor_type.shape.dim]
print(json.dumps({
  'irVersion': m.ir_version,
  'opset': [o.version for o in m.opset_import if o.domain in ('', 'ai.onnx')][0],
  'inputs': [{'name': v.name, 'dims': dims(v)} for v in m.graph.input],
  'outputs': [{'name': v.name, 'dims': dims(v)} for v in m.graph.output],
  'initializers': [t.name for t in m.graph.initializer],
  'ops': [n.op_type for n in m.graph.node],
}))
`;

/** Runs onnx.checker.check_model (full check: shapes inferred, types checked) on `file`; throws with its message. */
export function checkOnnx(file: string): CheckedOnnx {
  const r = spawnSync(onnxPython(), ['-c', CHECK, file], { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`onnx.checker refused ${file}: ${r.stderr || r.error?.message}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as CheckedOnnx;
}
