/**
 * The capacity search as a pure state machine: it is told how each probe
 * went and answers with the next probe, so its decisions can be tested with
 * no worker at all. Growth is geometric until the first load that fails,
 * then the interval [highest pass, lowest fail] is bisected to `precision`,
 * then a longer plateau at the highest pass must confirm it.
 *
 * A load's verdict is decided by its runs: a clear pass counts at once; a
 * pass near the objective is repeated and counts only if the repeat passes;
 * a clear fail counts at once but tentatively: the fail that ends growth and
 * the one the answer ends up bounded by are repeated, and when such a repeat
 * passes a second one decides.
 * So one disturbed probe cannot move the answer, and a load is never
 * claimed when a repeat of it failed.
 */

export type SearchMode = 'rate' | 'concurrency';
export type ProbeKind = 'probe' | 'repeat' | 'confirm';

export interface SearchSettings {
  mode: SearchMode;
  from: number;
  max: number | undefined;
  growth: number;
  precision: number;
  /** Relative headroom under which a probe's figure is "near" the objective. */
  margin: number;
  probeMs: number;
  confirmMs: number;
  maxProbes: number;
  maxDurationMs: number | undefined;
}

export interface ProbeOrder {
  load: number;
  kind: ProbeKind;
  durationMs: number;
}

/** One objective's figure on one probe. */
export interface ProbeCheck {
  /** `latency p(99)<20`, or `achieved>=0.97` for the rate objective. */
  name: string;
  actual: number | null;
  limit: number;
  passed: boolean;
  /** (limit − actual) / |limit| on the passing side, negative past it; null with no data or no direction. */
  headroom: number | null;
}

export interface ProbeJudgement {
  passed: boolean;
  /** The load the probe itself says was carried (an overloaded rate probe's achieved rate); a hint for the next probe. */
  estimate?: number | null;
  /** Some figure lies within `margin` of its limit: the run is repeated before it counts. */
  near: boolean;
  checks: ProbeCheck[];
}

export interface ProbeRecord extends ProbeOrder, ProbeJudgement {
  /** The plan step it ran as. */
  seq: number;
}

export type SearchStatus = 'running' | 'found' | 'lower-limit' | 'not-met' | 'unconverged';

export interface SearchAnswer {
  status: SearchStatus;
  /** The load claimed: confirmed (or, for an unconverged search, the highest decided pass). */
  capacity: number | null;
  confirmed: boolean;
  /** Highest load decided as passing, lowest decided as failing. */
  passed: number | null;
  failed: number | null;
  reason: string;
  probes: ProbeRecord[];
}

type Stage = 'search' | 'confirm' | 'done';

function roundLoad(x: number, mode: SearchMode): number {
  return mode === 'concurrency' ? Math.round(x) : Number(x.toPrecision(4));
}

/** Rounded towards `toward`, so a load placed one precision from another is never more than that from it. */
function roundToward(x: number, toward: number, mode: SearchMode): number {
  const r = roundLoad(x, mode);
  if (mode === 'concurrency') return x < toward ? Math.ceil(x) : Math.floor(x);
  const digit = 10 ** (Math.floor(Math.log10(Math.abs(x))) - 3);
  return x < toward ? (r < x ? r + digit : r) : (r > x ? r - digit : r);
}

/** Concurrency is searched in whole calls; a rate to `precision` of the highest pass. */
function converged(lo: number, hi: number, s: SearchSettings): boolean {
  if (s.mode === 'concurrency' && hi - lo <= 1) return true;
  return (hi - lo) / lo <= s.precision;
}

export class CapacitySearch {
  private stage: Stage = 'search';
  private load: number;
  /** Runs at `load` not yet decided. */
  private runs: ProbeRecord[] = [];
  /** Loads decided as passing (a failed confirmation takes its load back out). */
  private readonly passes: number[] = [];
  /** Loads decided as failing, with the runs that decided it: one clear fail is tentative until repeated. */
  private readonly fails = new Map<number, ProbeRecord[]>();
  private status: SearchStatus = 'running';
  private reason = 'the search is running';
  private confirmedAt: number | null = null;
  private readonly steppedDown: number[] = [];
  readonly probes: ProbeRecord[] = [];

  constructor(readonly settings: SearchSettings) {
    this.load = roundLoad(settings.from, settings.mode);
  }

  get done(): boolean {
    return this.stage === 'done';
  }

  private get lo(): number | null {
    return this.passes.length ? Math.max(...this.passes) : null;
  }

  /** The lowest fail above the highest pass. */
  private get hi(): number | null {
    const lo = this.lo ?? -Infinity;
    const above = [...this.fails.keys()].filter((l) => l > lo);
    return above.length ? Math.min(...above) : null;
  }

  /** The next probe to run, or undefined when the search has ended. `elapsedMs`: time since its first probe. */
  next(elapsedMs: number): ProbeOrder | undefined {
    if (this.stage === 'done') return undefined;
    const s = this.settings;
    const order: ProbeOrder = this.stage === 'confirm'
      ? { load: this.load, kind: 'confirm', durationMs: s.confirmMs }
      : { load: this.load, kind: this.runs.length ? 'repeat' : 'probe', durationMs: s.probeMs };
    if (this.probes.length >= s.maxProbes) {
      this.end('unconverged', `maxProbes (${s.maxProbes}) reached before the search ${this.stage === 'confirm' ? 'confirmed its answer' : 'converged'}`);
      return undefined;
    }
    if (s.maxDurationMs !== undefined && elapsedMs + order.durationMs > s.maxDurationMs) {
      this.end('unconverged', `maxDuration (${s.maxDurationMs / 1000} s) would be passed by the next ${order.kind} (${order.durationMs / 1000} s)`);
      return undefined;
    }
    return order;
  }

  /** How the order last returned by next() went. */
  record(order: ProbeOrder, seq: number, j: ProbeJudgement): void {
    const rec: ProbeRecord = { ...order, seq, ...j };
    this.probes.push(rec);
    if (order.kind === 'confirm') return this.confirmed(rec);
    this.runs.push(rec);
    const verdict = this.decide();
    if (verdict === undefined) return;
    if (verdict) this.passes.push(this.load);
    else this.fails.set(this.load, this.runs);
    this.runs = [];
    this.plan();
  }

  /**
   * A load's verdict from its runs, undefined while it needs another: a
   * clear first run counts (a clear fail tentatively, see plan()); a near
   * pass needs its repeat to pass; after a fail and a passing repeat, a
   * second repeat decides.
   */
  private decide(): boolean | undefined {
    const [first, ...repeats] = this.runs as [ProbeRecord, ...ProbeRecord[]];
    if (repeats.length === 0) return first.near ? undefined : first.passed;
    if (first.passed) return (repeats[0] as ProbeRecord).passed;
    if (!(repeats[0] as ProbeRecord).passed) return false;
    return repeats.length >= 2 ? (repeats[1] as ProbeRecord).passed : undefined;
  }

  /**
   * What comes after a decision. Growth while nothing has failed above the
   * highest pass, bisection between the two, then a confirmation. The fail
   * that ends growth, and the one that bounds the answer, are repeated
   * before anything stands on them: if one was a disturbed probe, its repeat
   * passes and the search goes on above it.
   */
  private plan(): void {
    const s = this.settings;
    const lo = this.lo;
    const hi = this.hi;
    const mid = lo !== null && hi !== null ? roundLoad((lo + hi) / 2, s.mode) : NaN;
    // Nothing left to probe between them: the interval is as narrow as it gets.
    const closed = hi !== null && (lo === null || converged(lo, hi, s) || mid <= lo || mid >= hi);
    // A fail is tentative until repeated. The one that ends growth is repeated at once (a spurious one there
    // would send the whole bisection below the capacity); the others when the interval they bound has closed.
    const tentative = hi !== null && (this.fails.get(hi)?.length ?? 0) < 2;
    if (tentative && (closed || this.fails.size === 1)) return this.reopen(hi);
    if (lo === null) return this.end('not-met', `the objective was not met at the lowest load (${s.from}${unit(s.mode)})${this.downNote()}`);
    if (hi === null) {
      if (s.max !== undefined && lo >= s.max) return this.confirm(lo);
      const up = roundLoad(lo * s.growth, s.mode);
      this.load = Math.min(s.max ?? Infinity, up > lo ? up : lo + 1);
      return;
    }
    if (closed) return this.confirm(lo);
    this.load = this.estimateBelow(lo, mid) ?? mid;
  }

  /**
   * An overloaded open-loop probe measures what the system did carry. When
   * the last fail's estimate lies below the midpoint, probing there (but at
   * least one precision above the highest pass) narrows the interval faster
   * than halving: a 4,000/s probe that achieved 2,070/s.
   */
  private estimateBelow(lo: number, mid: number): number | undefined {
    const last = this.probes.at(-1);
    const e = last && !last.passed ? last.estimate : undefined;
    if (e === undefined || e === null) return undefined;
    const s = this.settings;
    const floor = s.mode === 'concurrency' ? lo + 1 : roundToward(lo * (1 + s.precision), lo, s.mode);
    const x = Math.max(roundLoad(e, s.mode), floor);
    return x < mid ? x : undefined;
  }

  /** Run a tentatively failed load again: its fail becomes the first of its runs. */
  private reopen(load: number): void {
    this.runs = this.fails.get(load) ?? [];
    this.fails.delete(load);
    this.load = load;
  }

  private confirm(load: number): void {
    this.stage = 'confirm';
    this.load = load;
  }

  private confirmed(rec: ProbeRecord): void {
    const s = this.settings;
    if (rec.passed) {
      this.confirmedAt = rec.load;
      this.passes.push(rec.load);
      const atBound = s.max !== undefined && rec.load >= s.max && this.hi === null;
      if (atBound) return this.end('lower-limit', `the objective was met at the upper bound (max ${s.max}${unit(s.mode)}): capacity is at least that${this.downNote()}`);
      return this.end('found', `the highest load that met the objective, confirmed by a ${s.confirmMs / 1000} s plateau${this.downNote()}`);
    }
    // The longer plateau failed: that load is not claimed. It counts as a
    // confirmed fail, and the next confirmation is one precision lower (or
    // at the highest pass left, if that is closer): a load that passed its
    // probe fails a long plateau only when it is just over capacity.
    this.steppedDown.push(rec.load);
    for (let i = this.passes.length - 1; i >= 0; i--) if ((this.passes[i] as number) >= rec.load) this.passes.splice(i, 1);
    this.fails.set(rec.load, [rec, rec]);
    const down = roundToward(rec.load / (1 + s.precision), rec.load, s.mode);
    const next = Math.max(down < rec.load ? down : rec.load - 1, this.lo ?? -Infinity);
    if (next < roundLoad(s.from, s.mode)) return this.end('not-met', `the objective was not met at the lowest load (${s.from}${unit(s.mode)})${this.downNote()}`);
    this.load = next;
  }

  private downNote(): string {
    if (!this.steppedDown.length) return '';
    return `; the confirmation failed at ${this.steppedDown.map((l) => `${l}${unit(this.settings.mode)}`).join(', ')}, so the search stepped down`;
  }

  private end(status: SearchStatus, reason: string): void {
    this.stage = 'done';
    this.status = status;
    this.reason = reason;
  }

  answer(): SearchAnswer {
    const notMet = this.status === 'not-met';
    const lo = this.lo;
    return {
      status: this.status,
      capacity: notMet ? null : this.confirmedAt ?? (this.status === 'unconverged' ? lo : null),
      confirmed: this.confirmedAt !== null,
      passed: notMet ? null : this.confirmedAt ?? lo,
      failed: this.confirmedAt !== null || lo !== null ? this.hi : this.fails.size ? Math.min(...this.fails.keys()) : null,
      reason: this.reason,
      probes: [...this.probes],
    };
  }
}

export function unit(mode: SearchMode): string {
  return mode === 'rate' ? '/s' : ' in flight';
}
