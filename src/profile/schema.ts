import type { FromSchema } from 'json-schema-to-ts';

/**
 * The profile's JSON Schema: the one source of truth. Validation compiles it
 * with Ajv (src/profile/validate.ts) and the TypeScript types below are
 * inferred from it, so the two cannot drift apart.
 */
const duration = {
  type: ['string', 'number'],
  description: 'A duration: "500ms", "30s", "5m", "2h", "1m30s", or a number of milliseconds.',
} as const;

const positiveInt = { type: 'integer', minimum: 1 } as const;

const stage = {
  type: 'object',
  additionalProperties: false,
  required: ['target', 'duration'],
  properties: { target: positiveInt, duration },
} as const;

const phaseCommon = {
  name: { type: 'string', minLength: 1 },
} as const;

/** Stop a ramp at the first step that breaks any of these (the breakpoint test). */
const stopWhen = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    errorRate: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
    p99Ms: { type: 'number', exclusiveMinimum: 0 },
    /** Achieved rate under this fraction of offered (arrival-rate ramps). */
    achievedBelow: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
  },
} as const;

const thinkTime = {
  anyOf: [
    duration,
    { type: 'object', additionalProperties: false, required: ['min', 'max'], properties: { min: duration, max: duration } },
  ],
} as const;

const closedExtras = {
  /** Pause between a worker's calls, not counted in latency. */
  thinkTime,
  /** In-flight calls per worker for async extractors; `concurrency` counts all of them. */
  concurrencyPerWorker: { type: 'integer', minimum: 1 },
  /** Time this many calls per pair of timer reads (sync extractors under ~1 µs a call). */
  batchSize: { type: 'integer', minimum: 1, maximum: 1_000_000 },
} as const;

const openExtras = {
  /** Workers that may serve the schedule (default: the machine's CPUs). */
  maxConcurrency: { type: 'integer', minimum: 1 },
  arrival: { type: 'string', enum: ['uniform', 'poisson'] },
  /** A call that starts later than this after its intended time is counted late (default 10ms). */
  lateAfter: duration,
  /** A call that could only start later than this after its intended time is dropped (default 10s). */
  dropAfter: duration,
  /** Calls of an async extractor each worker may have in flight (default 32; a sync extractor always runs one at a time). */
  concurrencyPerWorker: { type: 'integer', minimum: 1, maximum: 10_000 },
} as const;

const constantConcurrency = {
  type: 'object',
  additionalProperties: false,
  required: ['executor', 'concurrency', 'duration'],
  properties: {
    ...phaseCommon,
    executor: { const: 'constant-concurrency' },
    concurrency: positiveInt,
    duration,
    ...closedExtras,
  },
} as const;

const rampingConcurrency = {
  type: 'object',
  additionalProperties: false,
  required: ['executor'],
  properties: {
    ...phaseCommon,
    executor: { const: 'ramping-concurrency' },
    from: positiveInt,
    to: positiveInt,
    step: positiveInt,
    stepDuration: duration,
    stages: { type: 'array', minItems: 1, items: stage },
    stopWhen,
    ...closedExtras,
  },
} as const;

const rate = { type: 'number', exclusiveMinimum: 0 } as const;

const constantArrivalRate = {
  type: 'object',
  additionalProperties: false,
  required: ['executor', 'rate', 'duration'],
  properties: {
    ...phaseCommon,
    executor: { const: 'constant-arrival-rate' },
    rate,
    duration,
    ...openExtras,
  },
} as const;

const rampingArrivalRate = {
  type: 'object',
  additionalProperties: false,
  required: ['executor'],
  properties: {
    ...phaseCommon,
    executor: { const: 'ramping-arrival-rate' },
    from: rate,
    to: rate,
    step: rate,
    stepDuration: duration,
    stages: {
      type: 'array',
      minItems: 1,
      items: { type: 'object', additionalProperties: false, required: ['target', 'duration'], properties: { target: rate, duration } },
    },
    stopWhen,
    ...openExtras,
  },
} as const;

const iterations = {
  type: 'object',
  additionalProperties: false,
  required: ['executor', 'iterations'],
  properties: {
    ...phaseCommon,
    executor: { const: 'iterations' },
    iterations: positiveInt,
    warmupIterations: { type: 'integer', minimum: 0 },
    concurrency: positiveInt,
    /** Time this many calls per pair of timer reads (sync extractors under ~1 µs a call). */
    batchSize: { type: 'integer', minimum: 1, maximum: 1_000_000 },
  },
} as const;

/**
 * Search for the highest load that meets the profile's thresholds: grow the
 * load geometrically to the first failing probe, then bisect (src/capacity).
 */
const capacitySearch = {
  type: 'object',
  additionalProperties: false,
  required: ['executor', 'from', 'probeDuration'],
  properties: {
    ...phaseCommon,
    executor: { const: 'capacity-search' },
    /** What is searched: an arrival rate (calls/s, the default) or a closed-loop concurrency. */
    mode: { type: 'string', enum: ['rate', 'concurrency'] },
    /** The first probe's load, and the lowest the search tries. */
    from: rate,
    /** The highest load the search tries (required for concurrency: the pool is sized for it). */
    max: rate,
    /** Each probe that passes multiplies the load by this until one fails (default 2). */
    growth: { type: 'number', minimum: 1.05, maximum: 10 },
    /** Stop bisecting when (lowest failed − highest passed) / highest passed is at most this (default 0.02). */
    precision: { type: 'number', minimum: 0.001, maximum: 0.5 },
    /** A probe whose figure is within this fraction of an objective's limit is repeated (default 0.1). */
    margin: { type: 'number', minimum: 0, maximum: 0.5 },
    probeDuration: duration,
    /** Each probe's own warm-up, kept out of its figures (default: stepWarmup, else a fifth of probeDuration). */
    probeWarmup: duration,
    /** The confirmation plateau at the load found (default: three probes long). */
    confirmDuration: duration,
    /** Probes, repeats and confirmations included (default 24). */
    maxProbes: { type: 'integer', minimum: 2, maximum: 1000 },
    /** The search's time budget; it ends with the best interval so far when the next probe would not fit. */
    maxDuration: duration,
    /** Rate mode: as for arrival-rate phases. Concurrency mode: in-flight calls per worker (default 1). */
    ...openExtras,
  },
} as const;

export const EXECUTORS = ['constant-concurrency', 'ramping-concurrency', 'constant-arrival-rate', 'ramping-arrival-rate', 'iterations', 'capacity-search'] as const;

const thresholdRule = {
  anyOf: [
    { type: 'string' },
    {
      type: 'object',
      additionalProperties: false,
      required: ['threshold'],
      properties: {
        threshold: { type: 'string' },
        abortOnFail: { type: 'boolean' },
        delayAbortEval: duration,
        scope: { type: 'string', enum: ['run', 'phase', 'step'] },
        phase: { type: 'string', minLength: 1 },
      },
    },
  ],
} as const;

const trendOptions = {
  type: 'object',
  additionalProperties: false,
  properties: {
    warmupFraction: { type: 'number', minimum: 0, maximum: 0.9 },
    window: { type: 'integer', minimum: 1 },
    minWindows: { type: 'integer', minimum: 4 },
    alpha: { type: 'number', exclusiveMinimum: 0, maximum: 0.5 },
    minRelGrowth: { type: 'number', minimum: 0 },
    minAbsGrowth: { type: 'number', minimum: 0 },
  },
} as const;

const analysisOptions = {
  type: 'object',
  additionalProperties: false,
  properties: {
    leak: trendOptions,
    drift: trendOptions,
    /** Verdicts that fail the run (exit 1). Default: leak and drift. */
    failOn: { type: 'array', items: { type: 'string', enum: ['leak', 'drift'] } },
    spikeTolerance: { type: 'number', exclusiveMinimum: 0 },
  },
} as const;

export const THRESHOLD_METRICS = ['latency', 'errors', 'throughput', 'cpu', 'memory'] as const;

/** A function of a mix, as thresholds name it: `latency{fn:deep}`. */
export const FN_NAME = '^[A-Za-z0-9_.-]+$';

/** One function of a weighted mix: its own module, weight, and optionally its own rows and options. */
const mixEntry = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'extractor', 'weight'],
  properties: {
    name: { type: 'string', pattern: FN_NAME, description: 'Names the function in the figures and in thresholds: latency{fn:NAME}.' },
    extractor: { type: 'string', minLength: 1, description: 'Module path, optionally "#exportName".' },
    weight: { type: 'number', exclusiveMinimum: 0, description: 'Relative share of the calls (weights need not add up to 1).' },
    data: { type: 'string', minLength: 1, description: "This function's own rows (default: the profile's data): a file, or a data module." },
    extractorOptions: { description: "This function's setup(ctx) options (default: the profile's extractorOptions)." },
  },
} as const;

export const profileSchema = {
  $id: 'https://strain.dev/schema/profile.json',
  type: 'object',
  additionalProperties: false,
  required: ['phases'],
  properties: {
    $schema: { type: 'string' },
    name: { type: 'string', minLength: 1 },
    description: { type: 'string' },
    extractor: { type: 'string', minLength: 1, description: 'Module path, optionally "#exportName".' },
    data: { type: 'string', minLength: 1, description: 'CSV, JSON Lines (.jsonl/.ndjson) or JSON array file; or a data module (.mjs/.js/.cjs/.ts) whose default or "rows" export is an array, a generator function or a function of (index, workerId), made in each worker.' },
    extractorOptions: { description: 'Passed to setup(ctx) as ctx.options.' },
    /** Instead of extractor: several functions, each call (or arrival) going to one by weight. */
    mix: { type: 'array', minItems: 1, maxItems: 16, items: mixEntry },
    snapshotInterval: duration,
    stepWarmup: duration,
    analysis: analysisOptions,
    /** Pin each worker thread to a CPU of its own (Linux). */
    pin: { type: 'boolean' },
    /** A worker whose call (or loop) makes no progress for this long is hung: terminated and replaced (default 10s). */
    hangTimeout: duration,
    /** Seed of the open-loop arrival schedules (default: drawn per run, recorded in meta.seed). */
    seed: { type: 'integer', minimum: 0, maximum: 2147483647 },
    /** Faults (hangs, crashes, exits, out of memory) the run survives; one more ends it as failed (default 10). */
    maxFaults: { type: 'integer', minimum: 0 },
    /** Old-generation heap limit per worker thread, in MiB (Piscina resourceLimits). */
    maxWorkerHeapMb: { type: 'integer', minimum: 16 },
    /** Profiles of the code under test: V8's sampling CPU and heap profilers in each worker, over each profiled step. */
    profile: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      properties: {
        /** CPU time by function over each profiled step's steady part. */
        cpu: { type: 'boolean' },
        /** The step's allocations still alive at its end (after a full GC), by the function that allocated them. */
        heap: { type: 'boolean' },
        /** CPU sampling interval in microseconds (default 1000). */
        intervalUs: { type: 'integer', minimum: 50, maximum: 100_000 },
        /** Mean bytes allocated between heap samples (default 32768). */
        heapIntervalBytes: { type: 'integer', minimum: 1024, maximum: 16_777_216 },
        /** A full heap snapshot of each worker at the end of its last profiled step (when its heap is under 512 MiB). */
        heapSnapshot: { type: 'boolean' },
        /** Steps to profile, numbered as in the result (from 1); default every step, of which the last and the knee's are kept. */
        steps: { type: 'array', minItems: 1, items: positiveInt },
      },
    },
    /** Send the run's metrics to a Prometheus Pushgateway (the CLI's --push, --push-interval and --label override these). */
    push: {
      type: 'object',
      additionalProperties: false,
      required: ['url'],
      properties: {
        /** The Pushgateway's base URL, e.g. http://127.0.0.1:9091; strain adds /metrics/job/strain/profile/<name>. */
        url: { type: 'string', minLength: 1 },
        /** Also push the live metrics this often while the run goes on (long runs). */
        interval: duration,
        /** More grouping labels, added to every series. */
        labels: { type: 'object', additionalProperties: { type: 'string' } },
      },
    },
    phases: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        discriminator: { propertyName: 'executor' },
        required: ['executor'],
        oneOf: [constantConcurrency, rampingConcurrency, constantArrivalRate, rampingArrivalRate, iterations, capacitySearch],
      },
    },
    thresholds: {
      type: 'object',
      additionalProperties: false,
      properties: Object.fromEntries(
        THRESHOLD_METRICS.map((m) => [m, { type: 'array', items: thresholdRule }]),
      ) as { [K in (typeof THRESHOLD_METRICS)[number]]: { type: 'array'; items: typeof thresholdRule } },
      /** A mix's function, in k6's tag form: "latency{fn:deep}". */
      patternProperties: { '^(latency|errors|throughput)\\{fn:[A-Za-z0-9_.-]+\\}$': { type: 'array', items: thresholdRule } },
    },
  },
} as const;

export type Profile = FromSchema<typeof profileSchema>;
export type Phase = Profile['phases'][number];
export type Executor = Phase['executor'];
export type ThresholdRule = NonNullable<NonNullable<Profile['thresholds']>['latency']>[number];
