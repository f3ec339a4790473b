// nnlab's library entry (`import { ... } from 'nnlab'`): the tensor core, models and layers, optimisers,
// data, training, and the lab's experiment files, store, statistics, reports, tuner and dashboard. Each layer
// also has its own entry (`nnlab/tensor`, `nnlab/nn`, ... in package.json's exports) for a narrower import.
export * from './tensor/index.js';
export * from './nn/index.js';
export * from './optim/index.js';
export * from './data/index.js';
export * from './train/index.js';
export { setThreads, getThreads, threadsFor, type ThreadSettings, type ThreadRequest, type Workload } from './engine/threads.js';
export { manualSeed } from './engine/seed.js';
export { cudaInfo, defaultDevice, type CudaInfo } from './engine/device.js';
export { blasInfo, type BlasInfo } from './engine/blas.js';
export { libtorchInfo } from './engine/libtorch.js';
export { nnlabVersion } from './engine/version.js';
export { NnlabError, ConfigError, ShapeError } from './engine/errors.js';
export { loadExperiment, parseExperiment } from './lab/experiment/experiment.js';
export { loadExperimentWithPlugins } from './lab/experiment/plugins.js';
export { loadPlugin, loadPlugins } from './lab/plugins.js';
export { runExperiment } from './lab/runner.js';
export { tuneExperiment } from './lab/tuner.js';
export { openStore, DEFAULT_STORE_PATH } from './store/index.js';
export type { RunStore, RunRecord, StudyRecord, ArtifactRecord, StoredRunStatus } from './store/index.js';
export { summarizeStudy, type StudySummary } from './stats/index.js';
export { writeReport, type ReportInput, type ReportOptions } from './report/write-report.js';
export { startDashboard, type Dashboard, type DashboardOptions } from './web/server.js';
