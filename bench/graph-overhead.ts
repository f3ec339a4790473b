// The graph model's overhead: B1's MLP as a Graph (the functional API) against the same model as a Sequential,
// one epoch of each in turn in one process (bench/workers/graph-overhead.ts). A round's ratio is the graph's
// figure over the Sequential's in that round, so a slow moment of the machine shared by both cancels out; the
// row gives the median over the rounds and their range. `npm run bench -- graph` (also in `b6`).
import type { Row } from './common.js';
import { median } from './common.js';
import { runWorker } from './peers.js';

interface Round {
  trainSamplesPerS: number;
  evalSamplesPerS: number;
  trainLoss: number;
  testAccuracy: number;
}

export function benchGraphOverhead(options: { rounds?: number } = {}): { rows: Row[]; notes: string[] } {
  const r = runWorker('graph-overhead', { rounds: options.rounds ?? 8 });
  const rounds = r.rounds as { sequential: Round; graph: Round }[];
  const params = r.params as { sequential: number; graph: number };
  if (params.sequential !== params.graph) throw new Error(`graph overhead: the two MLPs differ (${params.sequential} and ${params.graph} weights)`);
  const row = (bench: string, key: 'trainSamplesPerS' | 'evalSamplesPerS'): Row => {
    const ratios = rounds.map((x) => x.graph[key] / x.sequential[key]);
    return {
      bench,
      nnlab: median(rounds.map((x) => x.graph[key])).toFixed(0),
      peer: median(rounds.map((x) => x.sequential[key])).toFixed(0),
      ratio: `${median(ratios).toFixed(3)}x (${Math.min(...ratios).toFixed(3)}-${Math.max(...ratios).toFixed(3)})`,
      goal: '0.98-1.02x',
    };
  };
  const first = r.firstEpoch as { sequential: Round; graph: Round };
  // From the same weights on the same batches the two must train alike, or they are not the same work.
  if (Math.abs(first.graph.trainLoss - first.sequential.trainLoss) > 1e-4 * Math.abs(first.sequential.trainLoss)) {
    throw new Error(`graph overhead: the two MLPs train differently (first epoch loss ${first.sequential.trainLoss} and ${first.graph.trainLoss})`);
  }
  return {
    rows: [
      row('MLP 784-800-10, Adam, batch 256: fit() epoch of 50,000 MNIST images (samples/s)', 'trainSamplesPerS'),
      row('MLP evaluation on 10,000 test images, batch 1000 (samples/s)', 'evalSamplesPerS'),
    ],
    notes: [
      `Medians of ${rounds.length} rounds (after a warm-up epoch of each); the ratio is the median of each round's graph/Sequential ratio, with their range. ` +
        `Threads ${JSON.stringify(r.threads)}. The same model on both sides: ${params.graph.toLocaleString('en')} weights, ` +
        `first epoch from the same weights loss ${first.sequential.trainLoss.toFixed(6)} (Sequential) and ${first.graph.trainLoss.toFixed(6)} (Graph), ` +
        `test accuracy ${first.sequential.testAccuracy.toFixed(4)} and ${first.graph.testAccuracy.toFixed(4)}.`,
    ],
  };
}
