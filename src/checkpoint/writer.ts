/**
 * Writes the run's checkpoint into its output folder, replaced atomically
 * (write a sibling, rename), so a killed run leaves either the previous
 * checkpoint or the new one, never half of one.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import type { CheckpointSource } from '../engine/coordinator.js';
import type { HostFacts } from '../engine/host.js';
import type { SearchCheckpoint } from '../capacity/steer.js';
import type { ShardMeta } from '../shard/state.js';
import type { PairedRunOptions } from '../ab/paired-run.js';
import { writeFileAtomic } from '../result/write.js';
import { CHECKPOINT_FILE, CHECKPOINT_VERSION, StepEncoder, type CheckpointState } from './state.js';

export interface CheckpointMeta {
  profile: unknown;
  baseDir: string;
  source: string;
  host: HostFacts;
  /** A shard's run: recover re-splits the profile the same way, and leaves a shard state for merge. */
  shard?: ShardMeta | undefined;
  /** A paired A/B run: recover attaches its comparison. */
  paired?: PairedRunOptions | undefined;
}

export class CheckpointWriter {
  readonly file: string;
  private readonly encoder = new StepEncoder();
  /** The last write's error, if any: a full disk must not end the run. */
  lastError: string | undefined;

  constructor(dir: string, private readonly meta: CheckpointMeta) {
    this.file = path.join(dir, CHECKPOINT_FILE);
  }

  stateOf(src: CheckpointSource, search?: SearchCheckpoint): CheckpointState {
    const { acc } = src;
    return {
      kind: 'strain-checkpoint',
      version: CHECKPOINT_VERSION,
      writtenAt: new Date().toISOString(),
      profile: this.meta.profile,
      baseDir: this.meta.baseDir,
      source: this.meta.source,
      host: this.meta.host,
      ...(this.meta.shard ? { shard: this.meta.shard } : {}),
      ...(this.meta.paired ? { paired: this.meta.paired } : {}),
      startedAt: src.startedAt.toISOString(),
      runStartMs: acc.runStartMs,
      intervalMs: acc.intervalMs,
      seed: src.seed,
      samplePeriodMs: src.samplePeriodMs,
      started: [...src.started],
      faults: [...src.faults],
      teardownErrors: [...src.teardownErrors],
      placement: src.placement,
      steps: [...acc.steps.values()].map((s) => this.encoder.encode(s)),
      workers: [...acc.workers.values()],
      series: acc.series,
      samples: [...src.samples],
      ...(search ? { search } : {}),
    };
  }

  write(src: CheckpointSource, search?: SearchCheckpoint): void {
    try {
      writeFileAtomic(this.file, JSON.stringify(this.stateOf(src, search)));
      this.lastError = undefined;
    } catch (e) {
      this.lastError = (e as Error).message;
    }
  }

  remove(): void {
    rmSync(this.file, { force: true });
  }
}
