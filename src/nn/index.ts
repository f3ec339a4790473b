// The neural-network library's public surface: models, layers and their building blocks.
export { buildModel, isGraphConfig, Graph, GRAPH_INPUT, Sequential, type Model, type ModelConfig } from './model.js';
export { formatSummary, summaryRows, type SummaryRow } from './summary.js';
export { apply, graphModel, input, SymbolicValue } from './functional.js';
export { freezeWeights, loadWeights, type LoadOptions, type LoadReport } from './transfer.js';
export { exportOnnx, preprocessingFileFor, ONNX_OPSET, type OnnxExport, type OnnxExportOptions } from './onnx/export.js';
export { layer, LAYER_TYPES, layerTypes, registerLayer, type LayerClass, type LayerType } from './layers/registry.js';
export { Layer, type LayerConfig, type CallContext, type Shape } from './layers/layer.js';
export { activation, ACTIVATION_NAMES, type Activation, type ActivationConfig } from './activations.js';
export { initializer, INITIALIZER_NAMES, computeFans, type Initializer, type InitializerConfig } from './initializers.js';
export { regularizer, REGULARIZER_NAMES, type Regularizer, type RegularizerConfig } from './regularizers.js';
export { loss, LOSS_NAMES, lossNames, registerLoss, type Loss, type LossConfig, type LossFactory } from './losses.js';
export { metric, METRIC_NAMES, metricNames, registerMetric, type Metric, type MetricConfig, type MetricFactory, type MetricHints, type RegisteredMetric } from './metrics.js';
export { balancedClassWeight, checkClassWeight, resolveClassWeight, sampleWeightsFromClassWeight, type ClassWeight, type ClassWeightConfig } from './class-weight.js';
