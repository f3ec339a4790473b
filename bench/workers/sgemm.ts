// The machine's sgemm rate, the limit the MLP figures are read against: GFLOP/s of float32 matrix products
// through libtorch's BLAS, with the threads B1 uses (BLAS on every core). A large square product gives the
// machine's rate; the MLP's own shapes show what the BLAS reaches on them.
import { ops, randn, tidy, noGrad } from '../../src/tensor/index.js';
import { setThreads, threadsFor } from '../../src/engine/threads.js';
import { report } from './report.js';

setThreads(threadsFor('dense'));

/** GFLOP/s of `x·Wᵀ` for x [m, k] and W [n, k] (linear's layout), over about `seconds` seconds. */
function rate(m: number, k: number, n: number, seconds = 0.6): number {
  const x = randn([m, k]);
  const w = randn([n, k]);
  return noGrad(() => {
    for (let i = 0; i < 3; i++) tidy(() => void ops.linear(x, w));
    let reps = 0;
    const started = performance.now();
    while (performance.now() - started < seconds * 1000) {
      tidy(() => void ops.linear(x, w));
      reps++;
    }
    const s = (performance.now() - started) / 1000;
    x.dispose();
    w.dispose();
    return (2 * m * k * n * reps) / s / 1e9;
  });
}

report({
  square2048: rate(2048, 2048, 2048, 1.5),
  mlpTrain256: rate(256, 784, 800),
  mlpEval1000: rate(1000, 784, 800),
  mlpEval32: rate(32, 784, 800),
});
