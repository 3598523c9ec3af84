/**
 * strain's public surface. Everything a library user may rely on is listed
 * here; anything else is internal.
 */

// Running
export { runStress, prepareRun } from './run.js';
export type { Progress, RunOptions } from './run.js';
export { runAB, pairedSettings } from './ab/run-ab.js';
export type { ABOptions } from './ab/run-ab.js';

// Shards: one test split across machines, merged exactly
export type { ShardOptions } from './run.js';
export { parseShard, shardFromEnv } from './shard/spec.js';
export type { ShardSpec, ShardSource } from './shard/spec.js';
export { parseStartAt } from './shard/start-at.js';
export type { StartAt } from './shard/start-at.js';
export { mergeShards, mergeShardStates } from './shard/api.js';
export type { MergeOptions, ShardInput } from './shard/merge.js';
export { readShardState, SHARD_STATE_FILE } from './shard/state.js';
export type { ShardState, ShardMeta } from './shard/state.js';

// Profiles
export { defineProfile, ramp, spike, endurance, breakpoint } from './profile/presets.js';
export type { LoadMode, ProfileBase } from './profile/presets.js';
export { profileSchema, EXECUTORS, THRESHOLD_METRICS } from './profile/schema.js';
export type { Profile, Phase, Executor, ThresholdRule } from './profile/schema.js';
export { readProfileFile } from './profile/load.js';
export { applyOverrides } from './profile/overrides.js';
export type { ProfileOverrides } from './profile/overrides.js';
export { parseDuration } from './profile/duration.js';

// The extractor contract
export type { ExtractorContext, ExtractorFn, SetupContext } from './extractor/load.js';

// Results
export { resultSchema, RESULT_SCHEMA_VERSION } from './result/schema.js';
export type { StrainResult, StepResult, KneeResult, ThresholdOutcome, Comparison, RunSummary } from './result/schema.js';
export { serializeResult, readResult, resultSchemaErrors } from './result/write.js';
export { consoleSummary } from './report/console.js';
export { comparisonTable } from './report/comparison.js';

// Analysis: pure functions over plain numbers
export { findKnee, ruleKnee, DEFAULT_KNEE_OPTIONS } from './analysis/knee.js';
export type { Knee, KneeOptions, LoadPoint } from './analysis/knee.js';
export { fitUsl, bootstrapUsl, uslThroughput } from './analysis/usl.js';
export type { UslFit, UslParams } from './analysis/usl.js';
export { parseThreshold, evaluateThreshold } from './analysis/thresholds.js';
export type { ParsedThreshold, MetricView, ThresholdVerdict } from './analysis/thresholds.js';
export { compareMetric, mannWhitneyU, bootstrapRelChange } from './analysis/compare.js';
export type { MetricComparison, ChangeVerdict, Direction } from './analysis/compare.js';
export { compareRuns, summarizeRun, readRunSet, DEFAULT_NOISE } from './baseline/runs.js';
export type { NoiseThresholds } from './baseline/runs.js';
export { trendVerdict, theilSen, mannKendall } from './analysis/trend.js';
export type { TrendVerdict, TrendOptions } from './analysis/trend.js';
export { eDivisive } from './analysis/changepoint.js';
export type { ChangePoint } from './analysis/changepoint.js';
export { analyseSpike } from './analysis/spike.js';

// Monitoring: what strain run --push and --notify send, for library users
export { openMetrics, liveMetrics } from './report/openmetrics.js';
export { pushResult } from './monitoring/pushgateway.js';
export { notification, triggersOf } from './monitoring/notification.js';
export type { Notification, Trigger } from './monitoring/notification.js';
export { sendWebhook } from './monitoring/notify.js';
export type { Delivery } from './monitoring/deliver.js';

// Errors
export { StrainError, ERROR_CODES, EXIT, isStrainError } from './errors.js';
export type { ErrorCode, ExitCode } from './errors.js';
