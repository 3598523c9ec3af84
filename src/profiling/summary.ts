/**
 * What a step's CPU profiles say, merged over its workers: the functions of
 * the code under test by self and total time, with their source locations,
 * and a pruned call tree for the report's flame graph. Pure: profiles in,
 * figures out.
 *
 * Percentages are of what happened inside the extractor's calls (a stack
 * that holds a frame of the extractor's module): CPU samples, or for heap
 * profiles the bytes still alive. Strain's own loop and the idle time
 * between open-loop arrivals do not dilute them.
 */

export interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber?: number };
  children?: number[];
}

export interface CpuProfileData {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface TopFunction {
  function: string;
  url: string;
  /** 1-based, as editors count. */
  line: number;
  selfPercent: number;
  totalPercent: number;
  /** CPU: the samples' time. Heap: null. */
  selfMs: number | null;
  /** Heap: bytes still alive that this function allocated. CPU: null. */
  selfBytes: number | null;
}

/** A call tree node: name, source, weight under it, children. */
interface FlameNode {
  name: string;
  url: string;
  line: number;
  value: number;
  children: FlameNode[];
}

/** The tree in pre-order, each node with its depth (0: everything): what the flame graph draws. */
export interface FlameRow {
  name: string;
  url: string;
  line: number;
  value: number;
  depth: number;
}

export interface ProfileSummary {
  /** CPU: samples inside the extractor's calls. Heap: bytes they allocated that stayed. What the percentages are of. */
  inside: number;
  /** The same over everything profiled, inside the calls or not. */
  all: number;
  top: TopFunction[];
  flame: FlameRow[];
}

/** Heap: the sampling heap profiler's tree (HeapProfiler.stopSampling). */
export interface HeapProfileData {
  head: HeapNode;
}

interface HeapNode {
  callFrame: ProfileNode['callFrame'];
  selfSize: number;
  children?: HeapNode[];
}

const TOP = 20;
/** Flame graph nodes under this share are folded into their parent. */
const MIN_FLAME_SHARE = 0.005;
const MAX_DEPTH = 64;

type Frame = ProfileNode['callFrame'];
const nameOf = (f: Frame): string => f.functionName || '(anonymous)';
const keyOf = (f: Frame): string => `${nameOf(f)}\u0000${f.url}\u0000${f.lineNumber}`;

/** A stack root → leaf (without V8's (root)) and what it weighs: one sample, or bytes. */
interface Weighted {
  frames: Frame[];
  weight: number;
  ms: number;
}

function cpuStacks(p: CpuProfileData): Weighted[] {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stacks = new Map<number, Frame[]>();
  const stackOf = (id: number): Frame[] => {
    const hit = stacks.get(id);
    if (hit) return hit;
    const frames: Frame[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const f = (byId.get(at) as ProfileNode).callFrame;
      if (f.functionName === '(root)') break;
      frames.unshift(f);
    }
    stacks.set(id, frames);
    return frames;
  };
  const meanUs = p.samples.length ? (p.endTime - p.startTime) / p.samples.length : 0;
  return p.samples.map((id, i) => ({ frames: stackOf(id), weight: 1, ms: Math.max(0, p.timeDeltas[i + 1] ?? meanUs) / 1000 }));
}

function heapStacks(p: HeapProfileData): Weighted[] {
  const out: Weighted[] = [];
  const walk = (n: HeapNode, above: Frame[]): void => {
    const frames = n.callFrame.functionName === '(root)' ? above : [...above, n.callFrame];
    if (n.selfSize > 0) out.push({ frames, weight: n.selfSize, ms: 0 });
    for (const c of n.children ?? []) walk(c, frames);
  };
  walk(p.head, []);
  return out;
}

function summarize(stacks: Weighted[], extractorUrl: string, kind: 'cpu' | 'heap'): ProfileSummary {
  const self = new Map<string, { frame: Frame; w: number; ms: number }>();
  const total = new Map<string, number>();
  const root: FlameNode = { name: 'all', url: '', line: 0, value: 0, children: [] };
  let inside = 0;
  let all = 0;
  for (const st of stacks) {
    all += st.weight;
    // From the outermost frame of the extractor's module inwards: the call as the code under test sees it.
    const outer = st.frames.findIndex((f) => f.url === extractorUrl);
    if (outer < 0) continue;
    inside += st.weight;
    const frames = st.frames.slice(outer);
    const leaf = frames[frames.length - 1] as Frame;
    const s = self.get(keyOf(leaf)) ?? { frame: leaf, w: 0, ms: 0 };
    s.w += st.weight;
    s.ms += st.ms;
    self.set(keyOf(leaf), s);
    for (const k of new Set(frames.map(keyOf))) total.set(k, (total.get(k) ?? 0) + st.weight);
    let at = root;
    at.value += st.weight;
    for (const f of frames) {
      let child = at.children.find((c) => c.name === nameOf(f) && c.url === f.url && c.line === f.lineNumber + 1);
      if (!child) {
        child = { name: nameOf(f), url: f.url, line: f.lineNumber + 1, value: 0, children: [] };
        at.children.push(child);
      }
      child.value += st.weight;
      at = child;
    }
  }
  const pct = (n: number): number => (inside ? (100 * n) / inside : 0);
  const top = [...self.values()]
    .sort((a, b) => b.w - a.w)
    .slice(0, TOP)
    .map((s) => ({
      function: nameOf(s.frame), url: s.frame.url, line: s.frame.lineNumber + 1,
      selfPercent: pct(s.w), totalPercent: pct(total.get(keyOf(s.frame)) ?? 0),
      selfMs: kind === 'cpu' ? s.ms : null, selfBytes: kind === 'heap' ? s.w : null,
    }));
  return { inside, all, top, flame: flatten(root, Math.max(1, inside * MIN_FLAME_SHARE)) };
}

/** Merge the CPU profiles a step's workers took; `extractorUrl` marks the code under test. */
export function summarizeProfiles(profiles: readonly CpuProfileData[], extractorUrl: string): ProfileSummary {
  return summarize(profiles.flatMap(cpuStacks), extractorUrl, 'cpu');
}

/** Merge the heap profiles a step's workers took: who allocated what stayed. */
export function summarizeHeapProfiles(profiles: readonly HeapProfileData[], extractorUrl: string): ProfileSummary {
  return summarize(profiles.flatMap(heapStacks), extractorUrl, 'heap');
}

/** Pre-order, heaviest child first, without the nodes under `min` (or deeper than the graph draws). */
function flatten(root: FlameNode, min: number): FlameRow[] {
  const out: FlameRow[] = [];
  const walk = (n: FlameNode, depth: number): void => {
    out.push({ name: n.name, url: n.url, line: n.line, value: n.value, depth });
    if (depth >= MAX_DEPTH) return;
    for (const c of n.children.filter((x) => x.value >= min).sort((a, b) => b.value - a.value)) walk(c, depth + 1);
  };
  walk(root, 0);
  return out;
}
