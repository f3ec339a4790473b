// Experiment files: loading, checking, study expansion (see experiment.ts for the file format).
export { loadExperiment, parseExperiment, type LoadOptions } from './experiment.js';
export { loadExperimentWithPlugins } from './plugins.js';
export { EXPERIMENT_SCHEMA } from './schema.js';
export { CLASSES, TEMPLATE_DEFAULTS, expandModel, type MlpTemplate, type CnnTemplate, type ModelSection } from './templates.js';
export { TRAINING_DEFAULTS } from './run-spec.js';
export { parseOverride, type Override } from './overrides.js';
export { SCHEMA_FILE } from './write-schema.js';
