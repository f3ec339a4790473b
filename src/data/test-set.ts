// The test set, sealed. Model selection (tuning, early stopping, comparing variants) must only ever look at the
// validation split; the test set is for one explicit final evaluation. So its data are not a property anyone can
// read by accident: they are handed out only inside finalEvaluation(), and every use is counted, so a report can
// state how often the test set was looked at.
import { keep } from '../tensor/index.js';
import { datasetSize, disposeDataset, type Dataset } from './dataset.js';

export class TestSet {
  #data: Dataset;
  #evaluations = 0;

  /** Takes ownership of `data`: its tensors are exempt from tidy() scopes and live until dispose(). */
  constructor(data: Dataset) {
    keep(data.x);
    keep(data.y);
    this.#data = data;
  }

  get name(): string {
    return this.#data.name;
  }
  get classes(): readonly string[] {
    return this.#data.classes;
  }
  /** Number of samples (metadata only; does not count as a use). */
  get size(): number {
    return datasetSize(this.#data);
  }
  /** Shape of one sample (metadata only). */
  get sampleShape(): number[] {
    return this.#data.x.shape.slice(1);
  }
  /** How many final evaluations have used the test data so far. */
  get evaluations(): number {
    return this.#evaluations;
  }

  /** The explicit final evaluation: runs fn on the test data and counts the use. */
  finalEvaluation<T>(fn: (test: Dataset) => T): T {
    this.#evaluations++;
    return fn(this.#data);
  }

  /**
   * A test set with transformed data (e.g. preprocessing fitted on the training split), sealed the same way.
   * The transform must not learn from the data; this is not an evaluation and is not counted.
   */
  map(transform: (test: Dataset) => Dataset): TestSet {
    return new TestSet(transform(this.#data));
  }

  /** Frees the test tensors. */
  dispose(): void {
    disposeDataset(this.#data);
  }
}
