// The graph model's overhead: B1's MLP as a Graph (the functional API) against the same model as a Sequential,
// one short fit() epoch and evaluation of each in turn, many rounds, in one process
// (bench/workers/graph-overhead.ts). A round's ratio is the graph's figure over the Sequential's in that round, so
// a slow moment of the machine shared by both cancels out; the row gives the median of the rounds' ratios with a
// 95% bootstrap interval for it, and the notes the middle half and the range of the rounds themselves.
// `npm run bench -- graph` (also in `b6`).
import type { Row } from './common.js';
import { median } from './common.js';
import { runWorker } from './peers.js';

interface Round {
  trainSamplesPerS: number;
  evalSamplesPerS: number;
  trainLoss: number;
  testAccuracy: number;
}

/** Quantile q of sorted values (linear between neighbours). */
function quantile(sorted: number[], q: number): number {
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  return sorted[lo] + (sorted[Math.min(lo + 1, sorted.length - 1)] - sorted[lo]) * (at - lo);
}

/** A 95% percentile-bootstrap interval for the median of `values` (a fixed-seed generator: the same figures give the same interval). */
function medianInterval(values: number[], draws = 2000): [number, number] {
  let state = 0x9e3779b9;
  const next = () => {
    // mulberry32
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const medians = Array.from({ length: draws }, () => median(values.map(() => values[Math.floor(next() * values.length)])));
  medians.sort((a, b) => a - b);
  return [quantile(medians, 0.025), quantile(medians, 0.975)];
}

export function benchGraphOverhead(options: { rounds?: number; n?: number; evalN?: number } = {}): { rows: Row[]; notes: string[] } {
  const { rounds: count = 120, n = 5_120, evalN = 2_000 } = options;
  const r = runWorker('graph-overhead', { rounds: count, n, evalN });
  const rounds = r.rounds as { sequential: Round; graph: Round }[];
  const params = r.params as { sequential: number; graph: number };
  if (params.sequential !== params.graph) throw new Error(`graph overhead: the two MLPs differ (${params.sequential} and ${params.graph} weights)`);
  const first = r.firstEpoch as { sequential: Round; graph: Round };
  // From the same weights on the same batches the two must train alike, or they are not the same work.
  if (Math.abs(first.graph.trainLoss - first.sequential.trainLoss) > 1e-4 * Math.abs(first.sequential.trainLoss)) {
    throw new Error(`graph overhead: the two MLPs train differently (first epoch loss ${first.sequential.trainLoss} and ${first.graph.trainLoss})`);
  }
  const spreads: string[] = [];
  const row = (bench: string, key: 'trainSamplesPerS' | 'evalSamplesPerS'): Row => {
    const ratios = rounds.map((x) => x.graph[key] / x.sequential[key]);
    const sorted = [...ratios].sort((a, b) => a - b);
    const [lo, hi] = medianInterval(ratios);
    spreads.push(`${key === 'trainSamplesPerS' ? 'fit' : 'evaluation'}: middle half ${quantile(sorted, 0.25).toFixed(3)}-${quantile(sorted, 0.75).toFixed(3)}, range ${sorted[0].toFixed(3)}-${sorted[sorted.length - 1].toFixed(3)}`);
    return {
      bench,
      nnlab: median(rounds.map((x) => x.graph[key])).toFixed(0),
      peer: median(rounds.map((x) => x.sequential[key])).toFixed(0),
      ratio: `${median(ratios).toFixed(3)}x (${lo.toFixed(3)}-${hi.toFixed(3)})`,
      goal: '0.98-1.02x',
    };
  };
  return {
    rows: [
      row(`MLP 784-800-10, Adam, batch 256: fit() epoch of ${n.toLocaleString('en')} MNIST images (samples/s)`, 'trainSamplesPerS'),
      row(`MLP evaluation on ${evalN.toLocaleString('en')} test images, batch 1000 (samples/s)`, 'evalSamplesPerS'),
    ],
    notes: [
      `${rounds.length} rounds (after a warm-up round); figures are medians, the ratio is the median of the rounds' Graph/Sequential ratios with its 95% bootstrap interval. ` +
        `The rounds' ratios themselves: ${spreads.join('; ')}.`,
      `Threads ${JSON.stringify(r.threads)}. The same model on both sides: ${params.graph.toLocaleString('en')} weights; the first epoch from the same weights ` +
        `ends at loss ${first.sequential.trainLoss.toFixed(6)} (Sequential) and ${first.graph.trainLoss.toFixed(6)} (Graph), ` +
        `test accuracy ${first.sequential.testAccuracy.toFixed(4)} and ${first.graph.testAccuracy.toFixed(4)}.`,
    ],
  };
}
