// Statistics over runs: descriptive statistics with t confidence intervals, Welch's t-test of the best config
// against the others, and per-run analysis of the epoch curves.
export { logGamma, regularizedBeta, tCdf, tQuantile, tTwoSidedP } from './t-distribution.js';
export { boundsOf, describe, mean, sampleVariance, type Description } from './describe.js';
export { welchTest, type WelchResult } from './welch.js';
export { COUNTED_STATUSES, finalMetric, metricKeys, summarizeConfigs, type ConfigSummary, type MetricSummary } from './summary.js';
export { compareToBest, defaultDirection, defaultMetric, type Comparison, type ComparisonOptions, type ConfigTest } from './compare.js';
export { analyzeRun, type RunAnalysis } from './run-analysis.js';
export { epochsOf, summarizeStudy, summaryOptionsOf, type EpochsByRun, type StudySummary, type SummaryOptions } from './study-summary.js';
export { checkBaselines, type BaselineCheck, type ScoredBaseline } from './baseline-check.js';
export { changeText, diffConfigs, differingFields, diffValueText, pathText, type FieldChange, type FieldDifference } from './config-diff.js';
