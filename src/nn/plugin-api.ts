// What a plugin's default export is called with: `export default function (nnlab) { ... }` gets this module,
// the part of nnlab a layer, a loss or a metric is made of: the tensor ops and factories (nnlab/tensor), the
// layer contract, models, losses and metrics with their registries (nnlab/nn: registerLayer, registerLoss,
// registerMetric), the error types, and the field readers the built-in layers check their configs with.
// Passing it avoids resolving 'nnlab' from the plugin's own folder, which may hold no nnlab or another copy
// (whose Layer and registries are not the ones the running nnlab uses).
export * from '../tensor/index.js';
export * from './index.js';
export { ConfigError, NnlabError, ShapeError } from '../engine/errors.js';
export { readFields, type FieldSpec, type ParamSpec, type ParamValue } from '../engine/fields.js';
export { readLayer, type LayerSpec } from './layers/fields.js';
export { fmtShape } from './layers/layer.js';
