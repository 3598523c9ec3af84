/**
 * result.profiles: which profiled steps are kept (the ones the profile
 * named; else the last step and the knee's), their summaries, and the
 * .cpuprofile and .heapprofile files written for them (one per worker, when
 * a folder is given).
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ProfileMessage } from '../engine/protocol.js';
import type { KneeResult, StepResult, StrainResult } from '../result/schema.js';
import { writeFileAtomic } from '../result/write.js';
import { summarizeHeapProfiles, summarizeProfiles, type CpuProfileData, type HeapProfileData } from './summary.js';

export type ProfileResult = NonNullable<StrainResult['profiles']>[number];

export interface ProfilesInput {
  messages: readonly ProfileMessage[];
  steps: readonly StepResult[];
  /** Plan step → index in steps[]. */
  indexOfSeq: ReadonlyMap<number, number>;
  knee: KneeResult;
  extractorPath: string;
  intervalUs: number;
  heapIntervalBytes: number;
  /** The profile named its steps: keep all of them. */
  named: boolean;
  /** Where to write the .cpuprofile files; none are written without it. */
  dir: string | undefined;
  /** Steps (indexes into steps[]) that ran with the profilers on. */
  profiled: ReadonlySet<number>;
}

/** Against unprofiled steps at the same load: what profiling cost this step's throughput, in %. */
function overheadOf(i: ProfilesInput, step: number): number | null {
  const st = i.steps[step];
  if (!st || !st.completed || st.count === 0) return null;
  const load = (s: StepResult): number => s.load.rate ?? s.load.concurrency;
  const plain = i.steps.filter((s) => !i.profiled.has(s.index) && s.completed && s.count > 0 && s.executor === st.executor && load(s) === load(st));
  if (!plain.length) return null;
  const mean = plain.reduce((a, s) => a + s.throughput, 0) / plain.length;
  return mean > 0 ? 100 * (1 - st.throughput / mean) : null;
}

/** The steps whose profiles are kept: by default the last and the knee's (the first step at the knee's load). */
export function keptSteps(steps: readonly StepResult[], knee: KneeResult): number[] {
  const out = new Set<number>();
  const last = steps.at(-1);
  if (last) out.add(last.index);
  if (knee.detected && knee.load !== null) {
    const at = steps.find((s) => (s.load.rate ?? s.load.concurrency) === knee.load);
    if (at) out.add(at.index);
  }
  return [...out].sort((a, b) => a - b);
}

export function profilesOf(i: ProfilesInput): ProfileResult[] {
  const byStep = new Map<string, ProfileMessage[]>();
  const steps = new Set<number>();
  for (const m of i.messages) {
    const step = i.indexOfSeq.get(m.step);
    if (step === undefined) continue;
    steps.add(step);
    const key = `${step}:${m.kind}`;
    byStep.set(key, [...(byStep.get(key) ?? []), m]);
  }
  const keep = i.named ? [...steps].sort((a, b) => a - b) : keptSteps(i.steps, i.knee);
  const url = pathToFileURL(i.extractorPath).href;
  const out: ProfileResult[] = [];
  for (const step of keep) {
    for (const kind of ['cpu', 'heap'] as const) {
      const msgs = (byStep.get(`${step}:${kind}`) ?? []).sort((a, b) => a.workerId - b.workerId);
      if (!msgs.length) continue;
      const parsed: unknown[] = [];
      const workers = msgs.map((m) => {
        let file: string | null = null;
        if (m.profile) {
          parsed.push(JSON.parse(m.profile));
          if (i.dir) {
            // The extensions Chrome DevTools and speedscope open.
            file = path.join(i.dir, `step-${step + 1}-worker-${m.workerId}.${kind === 'cpu' ? 'cpuprofile' : 'heapprofile'}`);
            writeFileAtomic(file, m.profile);
          }
        }
        return { workerId: m.workerId, file, samples: m.samples, error: m.error ?? null };
      });
      const s = kind === 'cpu' ? summarizeProfiles(parsed as CpuProfileData[], url) : summarizeHeapProfiles(parsed as HeapProfileData[], url);
      const st = i.steps[step];
      out.push({
        step, kind, interval: kind === 'cpu' ? i.intervalUs : i.heapIntervalBytes, intervalUnit: kind === 'cpu' ? 'µs' : 'bytes',
        phase: st?.phase ?? '', steadyDurationMs: st?.steadyDurationMs ?? 0,
        unit: kind === 'cpu' ? 'samples' : 'bytes', inside: s.inside, all: s.all, overheadPercent: overheadOf(i, step), workers, top: s.top, flame: s.flame,
      });
    }
  }
  return out;
}
