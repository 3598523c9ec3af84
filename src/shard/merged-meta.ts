/** meta.shards of a merged result: what strain merge held, and each shard's own facts side by side. */
import type { HostFacts } from '../engine/host.js';

export interface ShardPiece {
  index: number;
  /** The file the shard was read from. */
  from: string;
  status: string;
  host: HostFacts;
  startedAt: string;
  endedAt: string;
  startAt: string | null;
  skewMs: number | null;
  maxStepSkewMs: number | null;
  workers: number;
  /** Measured calls, warm-ups left out (as result.total counts them). */
  count: number;
  errors: number;
  peakRssBytes: number;
  meanCpuPercent: number;
  peakCpuPercent: number;
}

export interface MergedShards {
  count: number;
  fingerprint: string;
  held: number[];
  missing: number[];
  partial: boolean;
  pieces: ShardPiece[];
}
