// `npm run bench`: every bench beside its PyTorch peer, run in this one process, printed as ratios.
// `npm run bench -- op mlp` runs a subset (op, mlp, b1, b2, b6, graph, b7, loader; b6 runs graph too); `tune`
// (the tuner against Optuna, a few minutes), `workers` (32 worker processes on one search against PostgreSQL) and
// `ui` (the dashboard on 10,000 runs) run only when named.
import { benchOpOverhead } from './op-overhead.js';
import { benchMlpStep } from './mlp-step.js';
import { benchCnn, benchGpu, benchLoader, benchMlpEpoch } from './models.js';
import { benchLstm } from './sequences.js';
import { benchResnet } from './resnet.js';
import { benchGraphOverhead } from './graph-overhead.js';
import { printTable } from './common.js';
import { runWorker } from './peers.js';
import { blasInfo } from '../src/engine/blas.js';
import { libtorchInfo } from '../src/engine/libtorch.js';
import { cudaInfo } from '../src/engine/device.js';

const only = process.argv.slice(2);
const wanted = (name: string) => only.length === 0 || only.includes(name);

console.log(`libtorch ${libtorchInfo().version}, ${blasInfo().name}`);
if (wanted('op')) {
  const r = benchOpOverhead();
  printTable('Per-op call overhead (tiny tensor, 1 intra-op thread)', r.rows);
}
if (wanted('mlp')) {
  const r = benchMlpStep();
  printTable(`MLP training step on the tensor core (threads: intra-op ${r.threads.intraOp}, BLAS ${r.threads.blas})`, r.rows);
}
let b1: number | null = null;
if (wanted('b1')) {
  const r = benchMlpEpoch();
  b1 = Number(r.rows[0].nnlab);
  printTable('B1 and B3 (MLP): fit() and evaluate() against PyTorch, each side at its best of 2 rounds', r.rows);
  for (const n of r.notes) console.log(n);
}
if (wanted('b2')) {
  const r = benchCnn();
  printTable('B2 and B3 (seed CNN): fit() and evaluate() against PyTorch, each side at its best of 2 rounds', r.rows);
  for (const n of r.notes) console.log(n);
}
if (wanted('b6')) {
  const r = benchResnet();
  printTable('B6 (residual networks from the resnet template): fit() and evaluate() against PyTorch, each side at its best of 2 rounds', r.rows);
  for (const n of r.notes) console.log(n);
}
if (wanted('b6') || wanted('graph')) {
  const r = benchGraphOverhead();
  printTable("The graph model's overhead: B1's MLP as a Graph (functional API) against the same Sequential, alternating in one process", r.rows, { nnlab: 'Graph', peer: 'Sequential', ratio: 'ratio (95% interval)' });
  for (const n of r.notes) console.log(n);
}
if (wanted('b7')) {
  const r = benchLstm();
  printTable("B7 (sequential MNIST, LSTM 128): fit() and evaluate() against PyTorch's nn.LSTM, each side at its best of 2 rounds", r.rows);
  for (const n of r.notes) console.log(n);
}
if (wanted('loader')) {
  const r = benchLoader(b1);
  printTable('Data loader (issue 4): nnlab against a PyTorch DataLoader, each side at its best of 2 rounds', r.rows);
  for (const n of r.notes) console.log(n);
}
if (only.includes('accuracy')) {
  // Not in the default run (about a minute): the issue-3 fidelity run, 10 epochs of the MNIST MLP.
  const r = runWorker('mnist-accuracy', {});
  console.log(`\nMNIST 800-ReLU MLP, Adam 0.00168, batch 256, 10 epochs: test accuracy ${((r.testAccuracy as number) * 100).toFixed(2)}% (goal >= 98.0%)`);
  for (const [i, e] of (r.epochs as { loss: number; accuracy: number; valAccuracy: number; samplesPerS: number }[]).entries()) {
    console.log(`  epoch ${i + 1}: loss ${e.loss.toFixed(4)}, accuracy ${e.accuracy.toFixed(4)}, val_accuracy ${e.valAccuracy.toFixed(4)}, ${e.samplesPerS} samples/s`);
  }
}
if (only.includes('tune')) {
  // Not in the default run (a few minutes): nnlab's samplers and ASHA against Optuna (bench/tune.ts).
  const { benchTune, tuneBenchOptions } = await import('./tune.js'); // loaded only when named: it needs the store
  await benchTune(tuneBenchOptions(only.filter((a) => a !== 'tune')));
}
if (only.includes('workers')) {
  // Not in the default run: 32 processes on one search against a throwaway PostgreSQL (bench/workers.ts).
  const { benchWorkers, workersBenchOptions } = await import('./workers.js'); // needs PostgreSQL's client
  await benchWorkers(workersBenchOptions(only.filter((a) => a !== 'workers')));
}
if (only.includes('ui')) {
  // Not in the default run: the dashboard's start and pages on a store of 10,000 runs (bench/ui.ts).
  const { benchUi, uiBenchOptions } = await import('./ui.js');
  await benchUi(uiBenchOptions(only.filter((a) => a !== 'ui')));
}
if (only.includes('gpu')) {
  // Only when named, on a machine with CUDA (scripts/gpu-check.sh): B1 and B2 on cuda:0 against PyTorch there.
  if (!cudaInfo().available) {
    console.error('bench gpu: the libtorch in use sees no CUDA device; run it where there is one (scripts/gpu-check.sh)');
    process.exit(2);
  }
  const r = benchGpu();
  printTable('B1, B2 and B3 on the GPU against PyTorch on the same GPU, each side at its best of 2 rounds', r.rows);
  for (const n of r.notes) console.log(n);
  const resnet = benchResnet({ device: 'cuda:0', cases: [{ depth: 20, size: 32, batches: 32 }, { depth: 18, size: 64, batches: 16 }] });
  printTable('B6 on the GPU against PyTorch on the same GPU, each side at its best of 2 rounds', resnet.rows);
  for (const n of resnet.notes) console.log(n);
  const lstm = benchLstm({ device: 'cuda:0', n: 51_200 });
  printTable("B7 on the GPU against PyTorch's nn.LSTM on the same GPU, each side at its best of 2 rounds", lstm.rows);
  for (const n of lstm.notes) console.log(n);
}
