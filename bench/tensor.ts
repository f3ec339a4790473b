// The tensor core as the benches use it.
export * from '../src/tensor/index.js';
export { randint } from '../src/tensor/ops.generated.js';
