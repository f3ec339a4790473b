// Per-op call overhead on a tiny tensor: what nnlab adds on top of libtorch's own cost of the op.
//   floor    an empty N-API call
//   libtorch the same boxed dispatcher call repeated inside C++ (no JS at all)
//   nnlab    ops.add(a, b) from TypeScript, result wrapped in a Tensor and disposed
// overhead = nnlab - libtorch. PyTorch's torch.add from Python on the same tensors runs in the same bench run.
import { getNative } from '../src/engine/native.js';
import { setThreads } from '../src/engine/threads.js';
import { full, opId, ops } from '../src/tensor/index.js';
import { median, seconds, type Row } from './common.js';
import { runPython } from './peers.js';

export function benchOpOverhead(calls = 200_000, repeats = 5): { rows: Row[]; figures: Record<string, number> } {
  const native = getNative();
  setThreads({ intraOp: 1 });
  const a = full([4], 0.5);
  const b = full([4], 0.25);
  const add = opId('aten::add', 'Tensor');
  const perCall = (fn: () => void) => median(Array.from({ length: repeats }, () => seconds(fn) / calls));
  // Warm-up: JIT, allocator.
  for (let i = 0; i < 20_000; i++) ops.add(a, b).dispose();

  const floor = perCall(() => {
    for (let i = 0; i < calls; i++) native.noop();
  });
  const inCpp = median(Array.from({ length: repeats }, () => native.loopOp(add, calls, a.h, b.h) / calls));
  const raw = perCall(() => {
    for (let i = 0; i < calls; i++) native.dispose(native.call(add, a.h, b.h));
  });
  const wrapped = perCall(() => {
    for (let i = 0; i < calls; i++) ops.add(a, b).dispose();
  });
  const py = runPython<{ perCallS: number }>('op_overhead.py', { calls, repeats });
  a.dispose();
  b.dispose();
  const us = (s: number) => `${(s * 1e6).toFixed(2)} µs`;
  const overhead = wrapped - inCpp;
  return {
    figures: { floorS: floor, libtorchS: inCpp, rawCallS: raw, opsAddS: wrapped, overheadS: overhead, pytorchS: py.perCallS },
    rows: [
      { bench: 'empty N-API call', nnlab: us(floor), peer: '', ratio: '', goal: '' },
      { bench: 'add [4]: libtorch alone (C++ loop)', nnlab: us(inCpp), peer: '', ratio: '', goal: '' },
      { bench: 'add [4]: native.call + dispose', nnlab: us(raw), peer: '', ratio: '', goal: '' },
      { bench: 'add [4]: ops.add(a, b) + dispose', nnlab: us(wrapped), peer: us(py.perCallS), ratio: `${(py.perCallS / wrapped).toFixed(2)}x`, goal: '' },
      { bench: 'per-op overhead over libtorch', nnlab: us(overhead), peer: us(py.perCallS - inCpp), ratio: '', goal: '<= 1 µs' },
    ],
  };
}
