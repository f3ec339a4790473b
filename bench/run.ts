// `npm run bench`: every bench beside its PyTorch peer, run in this one process, printed as ratios.
// `npm run bench -- op mlp` runs a subset.
import { benchOpOverhead } from './op-overhead.js';
import { benchMlpStep } from './mlp-step.js';
import { printTable } from './common.js';
import { blasInfo } from '../src/engine/blas.js';
import { libtorchInfo } from '../src/engine/libtorch.js';

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
