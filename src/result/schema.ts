import type { FromSchema } from 'json-schema-to-ts';

/**
 * The result contract (DESIGN.md). fast-json-stringify compiles the writer
 * from this schema and the TypeScript type is inferred from it. Add fields
 * freely; renaming one needs a new RESULT_SCHEMA_VERSION.
 */
export const RESULT_SCHEMA_VERSION = 1;

const num = { type: 'number' } as const;
const int = { type: 'integer' } as const;
const str = { type: 'string' } as const;
const nullableNum = { type: ['number', 'null'] } as const;

const latency = {
  type: 'object',
  additionalProperties: false,
  required: ['min', 'mean', 'stddev', 'p50', 'p75', 'p90', 'p95', 'p99', 'p999', 'max'],
  properties: { min: num, mean: num, stddev: num, p50: num, p75: num, p90: num, p95: num, p99: num, p999: num, max: num },
} as const;

/** A mix: each function's figures over the same calls and window as the blend beside them. */
const functionFigures = {
  type: 'array',
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['name', 'weight', 'share', 'count', 'errors', 'errorRate', 'throughput', 'latencyMs', 'histogram'],
    properties: {
      name: str,
      /** Its weight as the profile gave it, as a fraction of all the weights. */
      weight: num,
      /** The fraction of the calls that went to it. */
      share: num,
      count: int, errors: int, errorRate: num,
      /** Its successful calls per second over the window of the blend. */
      throughput: num,
      latencyMs: latency,
      histogram: str,
    },
  },
} as const;

const errorEntry = {
  type: 'object',
  additionalProperties: false,
  required: ['message', 'count', 'stack', 'step'],
  properties: { message: str, count: int, stack: { type: ['string', 'null'] }, step: int },
} as const;

const probeCheck = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'actual', 'limit', 'passed', 'headroom'],
  properties: { name: str, actual: nullableNum, limit: num, passed: { type: 'boolean' }, headroom: nullableNum },
} as const;

const capacitySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['phase', 'mode', 'status', 'capacity', 'confirmed', 'interval', 'precision', 'objective', 'probes', 'probeCount', 'durationMs', 'reason'],
  properties: {
    phase: str,
    /** What was searched: "rate" (calls/s offered) or "concurrency" (calls in flight). */
    mode: str,
    /** found, lower-limit (met at max), not-met (failed at the lowest load), unconverged (a limit ended it), interrupted. */
    status: str,
    /** The load claimed; null when none met the objective. */
    capacity: nullableNum,
    /** A confirmation plateau at that load passed. */
    confirmed: { type: 'boolean' },
    /** Highest load that passed, lowest that failed, and (failed − passed) / passed. */
    interval: {
      type: 'object',
      additionalProperties: false,
      required: ['passed', 'failed', 'relativeWidth'],
      properties: { passed: nullableNum, failed: nullableNum, relativeWidth: nullableNum },
    },
    precision: num,
    /** What each probe was judged on: the thresholds that apply to the phase, and achieved ≥ 97% for rates. */
    objective: { type: 'array', items: str },
    probes: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['step', 'load', 'kind', 'passed', 'near', 'durationMs', 'checks'],
        properties: {
          /** Index into steps[]. */
          step: int,
          load: num,
          /** probe, repeat (of the load before) or confirm. */
          kind: str,
          passed: { type: 'boolean' },
          /** A figure lay within the margin of its limit: the probe was repeated before it counted. */
          near: { type: 'boolean' },
          durationMs: num,
          checks: { type: 'array', items: probeCheck },
        },
      },
    },
    probeCount: int,
    /** From the first probe's start to the last one's end. */
    durationMs: num,
    reason: str,
  },
} as const;

const profileSchema = {
  type: 'array',
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['step', 'kind', 'interval', 'intervalUnit', 'phase', 'steadyDurationMs', 'unit', 'inside', 'all', 'overheadPercent', 'workers', 'top', 'flame'],
    properties: {
      /** Index into steps[]. */
      step: int,
      /** cpu (time by function over the steady part) or heap (the step's allocations alive at its end, by allocating function). */
      kind: str,
      /** The sampling interval: µs (cpu) or bytes between samples (heap). */
      interval: int,
      intervalUnit: str,
      phase: str,
      steadyDurationMs: num,
      /** What `inside` and `all` count: samples (cpu) or bytes (heap). */
      unit: str,
      /** Inside the extractor's calls (what the percentages are of), and over everything profiled. */
      inside: num,
      all: num,
      /** 1 − this step's throughput ÷ that of unprofiled steps at the same load, in %; null with none to compare. */
      overheadPercent: nullableNum,
      workers: {
        type: 'array',
        items: {
          type: 'object', additionalProperties: false, required: ['workerId', 'file', 'samples', 'error'],
          properties: { workerId: int, file: { type: ['string', 'null'] }, samples: int, error: { type: ['string', 'null'] } },
        },
      },
      top: {
        type: 'array',
        items: {
          type: 'object', additionalProperties: false, required: ['function', 'url', 'line', 'selfPercent', 'totalPercent', 'selfMs', 'selfBytes'],
          properties: { function: str, url: str, line: int, selfPercent: num, totalPercent: num, selfMs: nullableNum, selfBytes: nullableNum },
        },
      },
      /** The call tree in pre-order with depths (0: everything), for the flame graph; values in `unit`. */
      flame: {
        type: 'array',
        items: {
          type: 'object', additionalProperties: false, required: ['name', 'url', 'line', 'value', 'depth'],
          properties: { name: str, url: str, line: int, value: num, depth: int },
        },
      },
    },
  },
} as const;

const step = {
  type: 'object',
  additionalProperties: false,
  required: ['phase', 'phaseIndex', 'index', 'executor', 'load', 'startMs', 'endMs', 'durationMs', 'steadyDurationMs', 'warmupMs', 'count', 'errors',
    'errorRate', 'throughput', 'latencyMs', 'cpu', 'peakRssBytes', 'saturated', 'completed', 'histogram'],
  properties: {
    phase: str,
    phaseIndex: int,
    index: int,
    executor: str,
    load: {
      type: 'object',
      additionalProperties: false,
      required: ['concurrency'],
      /** Closed loop: calls in flight. Open loop: workers serving the schedule, and `rate` offered per second. */
      properties: { concurrency: int, rate: num },
    },
    /** Open loop only: latency above is from each call's intended start; these are beside it. */
    openLoop: {
      type: 'object',
      additionalProperties: false,
      required: ['arrival', 'offered', 'achieved', 'scheduled', 'late', 'dropped', 'serviceMs', 'lagMs', 'serviceHistogram'],
      properties: {
        arrival: str,
        offered: num,
        achieved: num,
        /** Arrivals the schedule drew inside the step: what achieved and saturation are judged against. */
        scheduled: int,
        /** scheduled per second of the step: the drawn rate (Poisson draws differ from the nominal). */
        scheduledRate: num,
        /** The generator fell behind: dispatch lag, not the function, makes the latency tail (lag p99 over 1 ms and over half the latency p99, with the workers busy under 90% of the step). */
        lagDominated: { type: 'boolean' },
        late: int,
        dropped: int,
        serviceMs: latency,
        lagMs: latency,
        serviceHistogram: str,
      },
    },
    /** Milliseconds from the run's start (the time axis of `series`). */
    startMs: num,
    endMs: num,
    durationMs: num,
    steadyDurationMs: num,
    warmupMs: num,
    /** Calls completed after the step's warm-up, successes and failures. */
    count: int,
    /** Of those, the calls that threw or rejected. */
    errors: int,
    /** errors / count. */
    errorRate: num,
    /** Successful calls per second over the steady window. */
    throughput: num,
    /** Completed calls (successes and failures) per second over the same window. */
    attemptThroughput: num,
    /** Successful calls only; failures have their own figures below. */
    latencyMs: latency,
    /** The failed calls' latency (all zero when none failed). */
    failedLatencyMs: latency,
    /** Calls recovered from the shared memory of workers that died (they are in count or warmupCount). */
    harvestedCalls: int,
    /** Calls completed in the step's warm-up: run, but in no figure. */
    warmupCount: int,
    /** Closed loop: calls in flight at the step's nominal end that completed after it (outside the window). */
    overranCalls: int,
    functions: functionFigures,
    /** Mean fraction of wall time the step's workers spent inside calls. */
    busyFraction: num,
    /** Process CPU (100 = one core) apportioned by time from the samples covering the step; null when none did. */
    cpu: {
      type: 'object', additionalProperties: false, required: ['meanPercent', 'peakPercent'],
      properties: {
        meanPercent: nullableNum, peakPercent: nullableNum,
        /** The step's worker threads' own CPU time (Linux /proc), 100 = one core: the code under test plus the drive loop around it. */
        workersPercent: nullableNum,
        /** The engine's own share: process CPU minus the workers' (coordinator, sampling, GC threads). */
        engineOverheadPercent: nullableNum,
      },
    },
    peakRssBytes: nullableNum,
    /** What else the machine did over the steady window (Linux; absent elsewhere): past the documented limits the step is disturbed, with the reasons. */
    environment: {
      type: 'object', additionalProperties: false,
      required: ['otherCpuPercent', 'otherCpuPeakPercent', 'stealPercent', 'runnable', 'cores', 'quotaCores', 'throttledPercent', 'cpuMHz', 'disturbed', 'reasons'],
      properties: {
        /** Other processes' CPU, 100 = one core: every process's busy time minus this one's. */
        otherCpuPercent: num, otherCpuPeakPercent: num,
        /** % of all CPUs' time given by the hypervisor to others. */
        stealPercent: num,
        /** Mean runnable threads (ours included), against cores. */
        runnable: nullableNum, cores: int,
        /** The cgroup's CPU quota in cores (null: none or unreadable) and the % of the window it was throttled. */
        quotaCores: nullableNum, throttledPercent: nullableNum,
        cpuMHz: nullableNum,
        disturbed: { type: 'boolean' },
        reasons: { type: 'array', items: str },
      },
    },
    saturated: { type: 'boolean' },
    /** False when the run stopped inside this step. */
    completed: { type: 'boolean' },
    histogram: { type: 'string', description: 'hdr-histogram-js compressed base64 of steady-state latencies in ns' },
  },
} as const;

const trend = {
  type: 'object',
  additionalProperties: false,
  required: ['verdict', 'slopePerMin', 'growth', 'pValue', 'windows', 'reason'],
  properties: {
    verdict: { type: 'string', enum: ['leak', 'drift', 'step', 'none', 'insufficient-data'] },
    /** Bytes (heap) or ms (p99) per minute. */
    slopePerMin: num,
    growth: num,
    pValue: num,
    windows: int,
    reason: str,
    /** The step (its index in steps[]) whose plateau the verdict was judged on; null when none was long enough. */
    step: { type: ['integer', 'null'] },
    /** Memory verdicts: the part that grows, `heap` (V8 heap used) or `external` (typed arrays, Buffers, native memory). */
    part: str,
  },
} as const;

const metricComparison = {
  type: 'object',
  additionalProperties: false,
  required: ['metric', 'direction', 'baseMedian', 'currentMedian', 'relChange', 'interval', 'pValue', 'noise', 'verdict', 'reason'],
  properties: {
    metric: str, direction: str, baseMedian: num, currentMedian: num, relChange: num,
    interval: { type: 'array', items: num }, pValue: num, noise: num,
    verdict: { type: 'string', enum: ['regressed', 'improved', 'unchanged', 'inconclusive'] }, reason: str,
  },
} as const;

export const comparisonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['baseRuns', 'currentRuns', 'metrics', 'regressed'],
  properties: {
    /** Runs, or (paired: true) A B B A cycles, on each side. */
    baseRuns: int,
    currentRuns: int,
    /** A paired A/B run (strain ab): both sides measured side by side in one run, the change per cycle. */
    paired: { type: 'boolean' },
    /** (current − base) / base of the medians of the runs' host-speed reference; absent when a side has none. */
    hostSpeedChange: num,
    /** Runs of each side measured on a disturbed machine, left out when enough others remain. */
    disturbedRuns: {
      type: 'object', additionalProperties: false, required: ['base', 'current', 'excluded'],
      properties: { base: int, current: int, excluded: { type: 'boolean' } },
    },
    metrics: { type: 'array', items: metricComparison },
    regressed: { type: 'boolean' },
  },
} as const;

export const resultSchema = {
  $id: 'https://strain.dev/schema/result.json',
  type: 'object',
  additionalProperties: false,
  required: ['schemaVersion', 'name', 'status', 'exitCode', 'meta', 'steps', 'total', 'workers', 'resources', 'series', 'knee',
    'thresholds', 'verdict', 'faults', 'errors'],
  properties: {
    schemaVersion: int,
    name: str,
    /** interrupted: recovered by `strain recover` from the checkpoint of a killed run. */
    status: { type: 'string', enum: ['completed', 'aborted', 'failed', 'interrupted'] },
    exitCode: int,
    meta: {
      type: 'object',
      additionalProperties: false,
      required: ['startedAt', 'endedAt', 'durationMs', 'strainVersion', 'host', 'extractor', 'data', 'snapshotIntervalMs', 'timing'],
      properties: {
        startedAt: str,
        endedAt: str,
        durationMs: num,
        strainVersion: str,
        host: {
          type: 'object',
          additionalProperties: false,
          required: ['cpus', 'model', 'speedMHz', 'memoryBytes', 'os', 'node'],
          properties: { cpus: int, model: str, speedMHz: num, memoryBytes: num, os: str, node: str },
        },
        extractor: str,
        data: { type: ['string', 'null'] },
        snapshotIntervalMs: num,
        /** Seed of the open-loop arrival schedules (pass it as the profile's seed to repeat them). */
        seed: int,
        /** The host-speed reference (environment/host-speed.ts) at the run's start and end: the same kernel's rate, so a change is the machine's. */
        hostSpeed: {
          type: 'object', additionalProperties: false, required: ['bytesPerUs', 'spread', 'start'],
          properties: {
            /** The mean of the start and end rates (the start alone when the run did not end). */
            bytesPerUs: num, spread: num,
            start: { type: 'object', additionalProperties: false, required: ['bytesPerUs', 'spread'], properties: { bytesPerUs: num, spread: num } },
            end: { type: 'object', additionalProperties: false, required: ['bytesPerUs', 'spread'], properties: { bytesPerUs: num, spread: num } },
          },
        },
        /** One shard of a larger test (--shard i/n): which, of what profile, and how late its aligned steps started. */
        shard: {
          type: 'object', additionalProperties: false,
          required: ['index', 'count', 'fingerprint', 'source', 'startAt', 'skewMs', 'maxStepSkewMs'],
          properties: {
            index: int, count: int, fingerprint: str, source: { type: 'string', enum: ['given', 'slurm', 'kubernetes', 'env'] },
            startAt: { type: ['string', 'null'] }, skewMs: nullableNum, maxStepSkewMs: nullableNum,
          },
        },
        /** A merged result (strain merge): the shards it holds, those missing, and each shard's own facts side by side. */
        shards: {
          type: 'object', additionalProperties: false,
          required: ['count', 'fingerprint', 'held', 'missing', 'partial', 'pieces'],
          properties: {
            count: int, fingerprint: str, held: { type: 'array', items: int }, missing: { type: 'array', items: int }, partial: { type: 'boolean' },
            pieces: {
              type: 'array',
              items: {
                type: 'object', additionalProperties: false,
                required: ['index', 'from', 'status', 'host', 'startedAt', 'endedAt', 'startAt', 'skewMs', 'maxStepSkewMs', 'workers', 'count', 'errors', 'peakRssBytes', 'meanCpuPercent', 'peakCpuPercent'],
                properties: {
                  index: int, from: str, status: str,
                  host: {
                    type: 'object', additionalProperties: false, required: ['cpus', 'model', 'speedMHz', 'memoryBytes', 'os', 'node'],
                    properties: { cpus: int, model: str, speedMHz: num, memoryBytes: num, os: str, node: str },
                  },
                  startedAt: str, endedAt: str, startAt: { type: ['string', 'null'] }, skewMs: nullableNum, maxStepSkewMs: nullableNum,
                  workers: int, count: int, errors: int, peakRssBytes: num, meanCpuPercent: num, peakCpuPercent: num,
                },
              },
            },
          },
        },
        timing: {
          type: 'object',
          additionalProperties: false,
          required: ['method', 'clock', 'unit', 'significantDigits'],
          properties: {
            /** 'per-call', or 'batched' when steps timed several calls per pair of timer reads. */
            method: str, clock: str, unit: str, significantDigits: int,
            batchSizes: { type: 'array', items: int },
            /** Set when the figures sit near the timer's own cost. */
            note: { type: ['string', 'null'] },
          },
        },
      },
    },
    steps: { type: 'array', items: step },
    total: {
      type: 'object',
      additionalProperties: false,
      required: ['durationMs', 'count', 'errors', 'errorRate', 'throughput', 'latencyMs', 'histogram'],
      /** Over the measured steps' steady parts only (warm-up calls are never in run-level figures). */
      properties: {
        durationMs: num, count: int, errors: int, errorRate: num, throughput: num, attemptThroughput: num, latencyMs: latency,
        failedLatencyMs: latency, harvestedCalls: int, warmupCount: int, overranCalls: int, histogram: str, functions: functionFigures,
      },
    },
    workers: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['workerId', 'count', 'errors', 'peakHeapBytes', 'elu'],
        /**
         * elu: the fraction of the worker's steady wall time spent inside calls (its busy fraction;
         * an event-loop utilisation would count a blocked Atomics.wait as busy). peakMemoryBytes: heap used + external.
         */
        properties: { workerId: int, shard: int, count: int, errors: int, peakHeapBytes: num, peakMemoryBytes: num, elu: num, cpuPercent: nullableNum },
      },
    },
    resources: {
      type: 'object',
      additionalProperties: false,
      required: ['peakRssBytes', 'peakCpuPercent', 'meanCpuPercent', 'series'],
      properties: {
        peakRssBytes: num,
        peakCpuPercent: num,
        meanCpuPercent: num,
        series: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['tMs', 'step', 'cpuPercent', 'rssBytes', 'systemCpuPercent', 'systemMemUsedBytes', 'diskReadBytesPerSec', 'diskWriteBytesPerSec'],
            properties: {
              tMs: num, step: int, cpuPercent: num, rssBytes: num, systemCpuPercent: num, systemMemUsedBytes: num,
              diskReadBytesPerSec: nullableNum, diskWriteBytesPerSec: nullableNum,
              otherCpuPercent: num, stealPercent: num, runnable: nullableNum, quotaCores: nullableNum, throttledPercent: nullableNum, cpuMHz: nullableNum,
            },
          },
        },
      },
    },
    series: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['tMs', 'step', 'count', 'errors', 'throughput', 'p50Ms', 'p99Ms', 'maxMs'],
        properties: { tMs: num, step: int, count: int, errors: int, throughput: num, p50Ms: num, p99Ms: num, maxMs: num },
      },
    },
    knee: {
      type: 'object',
      additionalProperties: false,
      required: ['detected', 'load', 'maxThroughput', 'method', 'confidence', 'reason', 'usl'],
      properties: {
        detected: { type: 'boolean' },
        load: nullableNum,
        maxThroughput: num,
        method: { type: 'string', enum: ['usl', 'rule', 'none'] },
        confidence: { type: 'string', enum: ['high', 'medium', 'low'] },
        reason: str,
        /** Concurrency levels measured more than once, and whether the measurements agree within the noise. */
        repeats: {
          type: 'array',
          items: {
            type: 'object', additionalProperties: false, required: ['load', 'steps', 'throughputs', 'relDiff', 'allowed', 'agree'],
            properties: { load: num, steps: { type: 'array', items: int }, throughputs: { type: 'array', items: num }, relDiff: num, allowed: num, agree: { type: 'boolean' } },
          },
        },
        /** Why the ramp doubts itself (repeats that disagree, per-worker throughput rising past the cores); each lowers the confidence. */
        checks: { type: 'array', items: str },
        usl: {
          type: ['object', 'null'],
          additionalProperties: false,
          required: ['sigma', 'kappa', 'lambda', 'nMax', 'nOpt', 'r2', 'credible', 'extrapolated'],
          properties: {
            sigma: num, kappa: num, lambda: num, nMax: nullableNum, nOpt: nullableNum, r2: num,
            credible: { type: 'boolean' }, extrapolated: { type: 'boolean' },
            nMaxInterval: { type: ['array', 'null'], items: num },
            sigmaInterval: { type: ['array', 'null'], items: num },
            kappaInterval: { type: ['array', 'null'], items: num },
          },
        },
      },
    },
    thresholds: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['metric', 'expression', 'scope', 'passed', 'actual', 'abortOnFail'],
        properties: { metric: str, expression: str, scope: str, passed: { type: 'boolean' }, actual: nullableNum, abortOnFail: { type: 'boolean' } },
      },
    },
    verdict: {
      type: 'object',
      additionalProperties: false,
      required: ['passed', 'reasons'],
      properties: { passed: { type: 'boolean' }, reasons: { type: 'array', items: str } },
    },
    faults: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['kind', 'workerId', 'step', 'atMs', 'message'],
        properties: { kind: str, workerId: int, step: int, atMs: num, message: str },
      },
    },
    errors: { type: 'array', items: errorEntry },
    endurance: {
      type: 'object',
      additionalProperties: false,
      required: ['heap', 'latency'],
      properties: {
        heap: {
          type: 'array',
          items: { type: 'object', additionalProperties: false, required: ['workerId', 'trend'], properties: { workerId: int, trend } },
        },
        latency: trend,
        /** The process's resident memory, judged the same way on the 1 Hz samples. */
        rss: trend,
        /** Each worker's memory over time (first 16 workers, at most 300 points each: window floors). */
        memory: {
          type: 'array',
          items: {
            type: 'object', additionalProperties: false, required: ['workerId', 'tMs', 'heapBytes', 'externalBytes'],
            properties: { workerId: int, tMs: { type: 'array', items: num }, heapBytes: { type: 'array', items: num }, externalBytes: { type: 'array', items: num } },
          },
        },
      },
    },
    spike: {
      type: ['object', 'null'],
      additionalProperties: false,
      required: ['steps', 'baselineP99Ms', 'peakP99Ms', 'peakAtMs', 'recoveryMs'],
      properties: {
        steps: { type: 'array', items: int },
        baselineP99Ms: num,
        peakP99Ms: num,
        peakAtMs: num,
        /** From the spike's end until p99 is back within the baseline's spread (its 90th percentile plus spikeTolerance). */
        recoveryMs: nullableNum,
        /** The series' bucket width: the resolution of recoveryMs. */
        resolutionMs: num,
      },
    },
    /** Where the threads ran: CPU pinning asked for, done or not, and why. */
    placement: {
      type: 'object',
      additionalProperties: false,
      required: ['requested', 'pinned', 'coordinatorCpus', 'workers', 'note'],
      properties: {
        requested: { type: 'boolean' },
        pinned: { type: 'boolean' },
        coordinatorCpus: { type: ['array', 'null'], items: int },
        workers: {
          type: 'array',
          items: {
            type: 'object', additionalProperties: false, required: ['workerId', 'tid', 'cpu'],
            properties: { workerId: int, tid: { type: ['integer', 'null'] }, cpu: { type: ['integer', 'null'] } },
          },
        },
        note: str,
      },
    },
    /** Set when a phase with stopWhen ended at its condition (the breakpoint test). */
    breakpoint: {
      type: 'object',
      additionalProperties: false,
      required: ['step', 'phase', 'reason', 'lastGoodLoad'],
      properties: { step: int, phase: str, reason: str, lastGoodLoad: nullableNum },
    },
    /** Set by a capacity-search phase: the highest load that met the objective, and how sure that is. */
    capacity: capacitySchema,
    /** Profiles of the code under test (profile.cpu, profile.heap): the kept steps, their top functions and call tree. */
    profiles: profileSchema,
    /** Heap snapshots the workers wrote at the end of the last profiled step (profile.heapSnapshot). */
    heapSnapshots: {
      type: 'array',
      items: {
        type: 'object', additionalProperties: false, required: ['workerId', 'step', 'file', 'bytes', 'error'],
        properties: { workerId: int, step: int, file: { type: ['string', 'null'] }, bytes: int, error: { type: ['string', 'null'] } },
      },
    },
    /** Set when runs were compared with a baseline (--baseline), or the two sides of a paired A/B run (strain ab). */
    comparison: comparisonSchema,
    /** A paired A/B run (strain ab): the two versions, how they took turns, and each measured step's verdicts. */
    ab: {
      type: 'object',
      additionalProperties: false,
      required: ['base', 'candidate', 'blockMs', 'alpha', 'noise', 'steps'],
      properties: {
        /** The extractors compared: A (the base) and B (the candidate, the profile's own). */
        base: str,
        candidate: str,
        /** The git commits they came from (--base-ref), when known. */
        baseCommit: str,
        candidateCommit: str,
        blockMs: num,
        alpha: num,
        noise: {
          type: 'object', additionalProperties: false, required: ['mean', 'throughput', 'p50', 'p99'],
          properties: { mean: num, throughput: num, p50: num, p99: num },
        },
        steps: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['index', 'phase', 'cycles', 'looks', 'stoppedEarly', 'metrics'],
            properties: {
              /** Its position in `steps`. */
              index: int,
              phase: str,
              /** Cycles kept (each holds two blocks of each side, after the warm-up). */
              cycles: int,
              /** The most looks the stopping rule could take in this step: each look's interval is at level α / looks. */
              looks: int,
              /** Ended before its longest length because its interval already decided. */
              stoppedEarly: { type: 'boolean' },
              metrics: { type: 'array', items: metricComparison },
            },
          },
        },
      },
    },
    /** What the run sent to monitoring at its end (--push, --notify, --notify-command), and whether it arrived. */
    deliveries: {
      type: 'array',
      items: {
        type: 'object', additionalProperties: false, required: ['kind', 'target', 'ok', 'attempts', 'error'],
        /** target: the Pushgateway group URL, a webhook's origin (its path may hold a token), or "command". */
        properties: { kind: { type: 'string', enum: ['push', 'webhook', 'command'] }, target: str, ok: { type: 'boolean' }, attempts: int, error: { type: ['string', 'null'] } },
      },
    },
    /** Problems that did not change the verdict (a push or a notification that failed). */
    warnings: { type: 'array', items: str },
    /** The individual runs of --repeat: one summary each. */
    runs: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['throughput', 'p50', 'p99', 'errorRate'],
        properties: {
          throughput: num, p50: num, p99: num, errorRate: num,
          /** meta.hostSpeed.bytesPerUs of the run: what a comparison holds the machine's speed against. */
          hostSpeed: num,
          /** This run's figures describe a busy machine: the share of it something else held at the worst step, and why (its disturbed steps); absent when none was. */
          disturbed: {
            type: 'object', additionalProperties: false, required: ['share', 'reasons'],
            properties: { share: num, reasons: { type: 'array', items: str } },
          },
          /** A mix: the same figures per function, by name. */
          functions: {
            type: 'object',
            additionalProperties: {
              type: 'object', additionalProperties: false, required: ['throughput', 'p50', 'p99', 'errorRate'],
              properties: { throughput: num, p50: num, p99: num, errorRate: num },
            },
          },
        },
      },
    },
  },
} as const;

export type StrainResult = FromSchema<typeof resultSchema>;
export type StepResult = StrainResult['steps'][number];
export type KneeResult = StrainResult['knee'];
export type ThresholdOutcome = StrainResult['thresholds'][number];
export type Comparison = NonNullable<StrainResult['comparison']>;
export type RunSummary = NonNullable<StrainResult['runs']>[number];
export type CapacityResult = NonNullable<StrainResult['capacity']>;
