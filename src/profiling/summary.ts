/**
 * What a step's CPU profiles say, merged over its workers: the functions of
 * the code under test by self and total time, with their source locations,
 * and a pruned call tree for the report's flame graph. Pure: profiles in,
 * figures out.
 *
 * Percentages are of the samples taken inside the extractor's calls (a
 * sample whose stack holds a frame of the extractor's module), so strain's
 * own loop and the idle time between open-loop arrivals do not dilute them.
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
  selfMs: number;
}

/** A call tree node: name, source, samples under it, children. */
interface FlameNode {
  name: string;
  url: string;
  line: number;
  value: number;
  children: FlameNode[];
}

/** The tree in pre-order, each node with its depth (0: all samples): what the flame graph draws. */
export interface FlameRow {
  name: string;
  url: string;
  line: number;
  value: number;
  depth: number;
}

export interface ProfileSummary {
  /** Samples inside the extractor's calls, over all workers. */
  samples: number;
  /** Samples taken in all, inside and outside the calls. */
  allSamples: number;
  top: TopFunction[];
  flame: FlameRow[];
}

const TOP = 20;
/** Flame graph nodes under this share of the samples are folded into their parent. */
const MIN_FLAME_SHARE = 0.005;
const MAX_DEPTH = 64;

const nameOf = (n: ProfileNode): string => n.callFrame.functionName || '(anonymous)';
const keyOf = (n: ProfileNode): string => `${nameOf(n)}\u0000${n.callFrame.url}\u0000${n.callFrame.lineNumber}`;

interface Stack {
  /** Leaf to root, without V8's (root). */
  frames: ProfileNode[];
}

function stacksOf(p: CpuProfileData): Map<number, Stack> {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const out = new Map<number, Stack>();
  for (const n of p.nodes) {
    const frames: ProfileNode[] = [];
    for (let id: number | undefined = n.id; id !== undefined; id = parent.get(id)) {
      const f = byId.get(id) as ProfileNode;
      if (f.callFrame.functionName === '(root)') break;
      frames.push(f);
    }
    out.set(n.id, { frames });
  }
  return out;
}

/** Merge the profiles a step's workers took; `extractorUrl` marks the code under test. */
export function summarizeProfiles(profiles: readonly CpuProfileData[], extractorUrl: string): ProfileSummary {
  const self = new Map<string, { node: ProfileNode; n: number; ms: number }>();
  const total = new Map<string, number>();
  const root: FlameNode = { name: 'all', url: '', line: 0, value: 0, children: [] };
  let inside = 0;
  let all = 0;
  for (const p of profiles) {
    const stacks = stacksOf(p);
    const meanMs = p.samples.length ? (p.endTime - p.startTime) / 1000 / p.samples.length : 0;
    p.samples.forEach((id, i) => {
      all++;
      const st = stacks.get(id);
      if (!st) return;
      // From the outermost frame of the extractor's module inwards: the call as the code under test sees it.
      const outer = st.frames.map((f) => f.callFrame.url).lastIndexOf(extractorUrl);
      if (outer < 0) return;
      inside++;
      const frames = st.frames.slice(0, outer + 1);
      const leaf = frames[0] as ProfileNode;
      const ms = Math.max(0, (p.timeDeltas[i + 1] ?? meanMs * 1000) / 1000);
      const s = self.get(keyOf(leaf)) ?? { node: leaf, n: 0, ms: 0 };
      s.n++;
      s.ms += ms;
      self.set(keyOf(leaf), s);
      for (const k of new Set(frames.map(keyOf))) total.set(k, (total.get(k) ?? 0) + 1);
      let at = root;
      at.value++;
      for (let k = frames.length - 1; k >= 0; k--) {
        const f = frames[k] as ProfileNode;
        let child = at.children.find((c) => c.name === nameOf(f) && c.url === f.callFrame.url && c.line === f.callFrame.lineNumber + 1);
        if (!child) {
          child = { name: nameOf(f), url: f.callFrame.url, line: f.callFrame.lineNumber + 1, value: 0, children: [] };
          at.children.push(child);
        }
        child.value++;
        at = child;
      }
    });
  }
  const pct = (n: number): number => (inside ? (100 * n) / inside : 0);
  const top = [...self.values()]
    .sort((a, b) => b.n - a.n)
    .slice(0, TOP)
    .map((s) => ({
      function: nameOf(s.node), url: s.node.callFrame.url, line: s.node.callFrame.lineNumber + 1,
      selfPercent: pct(s.n), totalPercent: pct(total.get(keyOf(s.node)) ?? 0), selfMs: s.ms,
    }));
  return { samples: inside, allSamples: all, top, flame: flatten(root, Math.max(1, inside * MIN_FLAME_SHARE)) };
}

/** Pre-order, heaviest child first, without the nodes under `min` samples (or deeper than the graph draws). */
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
