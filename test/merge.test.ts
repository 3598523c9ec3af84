// The coordinator's merge, as a pure unit: snapshots built by hand with
// known calls, errors, times and memory, and every figure checked against
// what those snapshots add up to (histograms against a reference histogram
// that recorded the same values one by one).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newHistogram } from '../src/engine/histogram.js';
import { ingestMessage, RunAccumulator, type SeriesPoint } from '../src/engine/merge.js';
import type { SnapshotMessage } from '../src/engine/protocol.js';
import { FastRecorder } from '../src/engine/recorder.js';
import { harvest } from '../src/engine/harvest.js';
import { SharedRecording, SLOT } from '../src/engine/shared-recording.js';

const sparse = (values: readonly number[]): Float64Array => {
  const r = new FastRecorder();
  for (const v of values) r.record(v);
  return r.takeSparse().pairs;
};

const ref = (values: readonly number[]): ReturnType<typeof newHistogram> => {
  const h = newHistogram();
  for (const v of values) h.recordValue(v);
  return h;
};

interface SnapOpts extends Partial<Omit<SnapshotMessage, 'histogram' | 'failures' | 'service' | 'lag'>> {
  ok?: number[];
  failed?: number[];
  service?: number[];
  lag?: number[];
}

function snap(o: SnapOpts = {}): SnapshotMessage {
  const ok = o.ok ?? [1_000_000];
  const failed = o.failed ?? [];
  return {
    type: 'snapshot', workerId: o.workerId ?? 0, step: o.step ?? 0, warmup: o.warmup ?? false, final: o.final ?? false,
    startMs: o.startMs ?? 0, endMs: o.endMs ?? 100, calls: o.calls ?? ok.length + failed.length, errors: o.errors ?? failed.length,
    errorSamples: o.errorSamples ?? [], histogram: sparse(ok), failures: sparse(failed), busyMs: o.busyMs ?? 0,
    cpuMs: o.cpuMs === undefined ? 0 : o.cpuMs, batch: o.batch ?? 1,
    service: o.service ? sparse(o.service) : undefined, lag: o.lag ? sparse(o.lag) : undefined,
    late: o.late ?? 0, dropped: o.dropped ?? 0, overran: o.overran ?? 0,
    heapUsedBytes: o.heapUsedBytes ?? 1000, externalBytes: o.externalBytes ?? 10, arrayBuffersBytes: o.arrayBuffersBytes ?? 5,
    ...(o.harvested === undefined ? {} : { harvested: o.harvested }),
  };
}

/** The wire carries bucket indices: a merged max is its bucket's lowest value. */
const floorOf = (v: number): number => (ref([v]) as unknown as { lowestEquivalentValue(x: number): number }).lowestEquivalentValue(v);

const acc = (measured: (s: number) => boolean = () => true, maxPoints = 2000): RunAccumulator => new RunAccumulator(0, 100, measured, maxPoints);

describe('merge: steps', () => {
  it('warm-up snapshots count in the whole step only; steady ones in both; histograms add exactly', () => {
    const a = acc();
    a.add(snap({ warmup: true, ok: [5_000_000], failed: [7_000_000], late: 2, dropped: 1, busyMs: 3, cpuMs: 4, startMs: 0, endMs: 100, batch: 9 }));
    a.add(snap({ ok: [1_000_000, 2_000_000], failed: [3_000_000], late: 5, dropped: 4, busyMs: 10, cpuMs: 8, startMs: 100, endMs: 200, batch: 3, overran: 2 }));
    a.add(snap({ workerId: 1, ok: [4_000_000], late: 1, dropped: 0, busyMs: 20, cpuMs: 16, startMs: 90, endMs: 210, batch: 3, overran: 1 }));
    const s = a.steps.get(0)!;
    assert.equal(s.calls, 6);
    assert.equal(s.errors, 2);
    assert.equal(s.steadyCalls, 4);
    assert.equal(s.steadyErrors, 1);
    assert.equal(s.all.totalCount, 4, 'successful calls, warm-up included');
    assert.equal(s.steady.totalCount, 3);
    assert.equal(s.failedAll.totalCount, 2);
    assert.equal(s.failedSteady.totalCount, 1);
    assert.equal(s.steady.getValueAtPercentile(100), ref([4_000_000]).getValueAtPercentile(100));
    assert.equal(s.steady.getValueAtPercentile(50), ref([1_000_000, 2_000_000, 4_000_000]).getValueAtPercentile(50));
    assert.equal(s.failedSteady.maxValue, floorOf(3_000_000));
    assert.ok(floorOf(3_000_000) > 3_000_000 * 0.999, 'within the 3 significant digits');
    assert.equal(s.late, 8);
    assert.equal(s.steadyLate, 6);
    assert.equal(s.dropped, 5);
    assert.equal(s.steadyDropped, 4);
    assert.equal(s.steadyBusyMs, 30);
    assert.equal(s.steadyCpuMs, 24);
    assert.equal(s.overran, 3);
    assert.deepEqual([...s.batchSizes], [3], 'the warm-up batch size is not the steady one');
    assert.equal(s.startMs, 0);
    assert.equal(s.endMs, 210);
    assert.equal(s.steadyStartMs, 90);
    assert.equal(s.steadyEndMs, 210);
  });

  it('open-loop service and lag: whole step and steady, separately', () => {
    const a = acc();
    a.add(snap({ warmup: true, service: [9_000_000], lag: [8_000_000] }));
    a.add(snap({ service: [1_000_000, 1_500_000], lag: [10_000] }));
    a.add(snap({}));
    const s = a.steps.get(0)!;
    assert.equal(s.service.totalCount, 3);
    assert.equal(s.steadyService.totalCount, 2);
    assert.equal(s.lag.totalCount, 2);
    assert.equal(s.steadyLag.totalCount, 1);
    assert.equal(s.steadyLag.maxValue, floorOf(10_000));
    assert.equal(s.service.maxValue, floorOf(9_000_000));
  });

  it('CPU time becomes unknown once any steady snapshot could not read it; a harvest neither reads nor breaks it', () => {
    const a = acc();
    a.add(snap({ cpuMs: 5 }));
    a.add(snap({ cpuMs: null, harvested: true }));
    assert.equal(a.steps.get(0)!.steadyCpuMs, 5);
    assert.equal(a.workers.get(0)!.cpuMs, 5);
    a.add(snap({ cpuMs: null }));
    assert.equal(a.steps.get(0)!.steadyCpuMs, null);
    assert.equal(a.workers.get(0)!.cpuMs, null);
    a.add(snap({ cpuMs: 7 }));
    assert.equal(a.steps.get(0)!.steadyCpuMs, null, 'stays unknown');
    assert.equal(a.workers.get(0)!.cpuMs, null);
    const w = acc();
    w.add(snap({ warmup: true, cpuMs: null }));
    assert.equal(w.steps.get(0)!.steadyCpuMs, 0, 'a warm-up reading does not count');
  });

  it('harvested calls are counted and marked; a snapshot with no calls adds no batch size', () => {
    const a = acc();
    a.add(snap({ harvested: true, ok: [1000, 2000], batch: 4 }));
    a.add(snap({ ok: [], batch: 7 }));
    const s = a.steps.get(0)!;
    assert.equal(s.harvestedCalls, 2);
    assert.equal(s.calls, 2);
    assert.deepEqual([...s.batchSizes], [4]);
  });

  it('error samples add by message; past 100 messages the rest are counted together', () => {
    const a = acc();
    a.add(snap({ ok: [], failed: [1, 1, 1], errorSamples: [{ message: 'x', count: 2, stack: 's' }, { message: 'y', count: 1, stack: undefined }] }));
    a.add(snap({ ok: [], failed: [1, 1], errorSamples: [{ message: 'x', count: 2, stack: 's2' }] }));
    const e = a.steps.get(0)!.errorSamples;
    assert.equal(e.get('x')!.count, 4);
    assert.equal(e.get('x')!.stack, 's', 'the first stack is kept');
    assert.equal(e.get('y')!.count, 1);
    const many = acc();
    const samples = Array.from({ length: 103 }, (_, i) => ({ message: `m${i}`, count: i + 1, stack: undefined }));
    const total = samples.reduce((t, x) => t + x.count, 0);
    many.add(snap({ ok: [], failed: Array.from({ length: total }, () => 1), errorSamples: samples }));
    const m = many.steps.get(0)!.errorSamples;
    assert.equal(m.size, 101);
    assert.equal(m.get('(other errors)')!.count, 101 + 102 + 103);
    assert.equal([...m.values()].reduce((t, x) => t + x.count, 0), total, 'no error is lost or doubled');
    // A sample merged into an existing message must not alias the sender's object.
    const first = { message: 'z', count: 1, stack: undefined };
    const al = acc();
    al.add(snap({ ok: [], failed: [1], errorSamples: [first] }));
    al.add(snap({ ok: [], failed: [1], errorSamples: [{ message: 'z', count: 1, stack: undefined }] }));
    assert.equal(first.count, 1);
  });

  it('a final snapshot marks its worker finished for that step', () => {
    const a = acc();
    a.add(snap({ workerId: 0, final: false }));
    a.add(snap({ workerId: 1, final: true }));
    a.add(snap({ workerId: 2, step: 1, final: true }));
    assert.deepEqual([...a.steps.get(0)!.finished], [1]);
    assert.deepEqual([...a.steps.get(1)!.finished], [2]);
  });
});

describe('merge: workers', () => {
  it('memory peaks and the last heap reading; a harvest has no memory reading', () => {
    const a = acc();
    a.add(snap({ heapUsedBytes: 500, externalBytes: 600 }));
    a.add(snap({ heapUsedBytes: 900, externalBytes: 100 }));
    a.add(snap({ heapUsedBytes: 700, externalBytes: 50 }));
    a.add(snap({ heapUsedBytes: 99_999, externalBytes: 99_999, harvested: true }));
    const w = a.workers.get(0)!;
    assert.equal(w.peakHeapBytes, 900);
    assert.equal(w.peakMemoryBytes, 1100, 'the peak of the sum, not the sum of the peaks (1500)');
    assert.equal(w.lastHeapBytes, 700);
    assert.equal(w.snapshots, 3);
    assert.deepEqual(w.heapY, [500, 900, 700]);
    assert.deepEqual(w.extY, [600, 100, 50]);
  });

  it('calls, busy time and span count for measured steps only; warm-up counts calls but not busy time', () => {
    const a = acc((s) => s !== 1);
    a.add(snap({ step: 0, ok: [1, 2], failed: [3], busyMs: 40, cpuMs: 30, startMs: 0, endMs: 100 }));
    a.add(snap({ step: 0, warmup: true, ok: [1], busyMs: 50, cpuMs: 60, startMs: 100, endMs: 150 }));
    a.add(snap({ step: 1, ok: [1, 1, 1], busyMs: 70, cpuMs: 70, startMs: 150, endMs: 250, heapUsedBytes: 4242 }));
    a.add(snap({ step: 2, ok: [1], busyMs: 5, cpuMs: 1, startMs: 300, endMs: 280 }));
    const w = a.workers.get(0)!;
    assert.equal(w.count, 5);
    assert.equal(w.errors, 1);
    assert.equal(w.busyMs, 45);
    assert.equal(w.cpuMs, 31);
    assert.equal(w.spanMs, 100, 'a reversed interval adds nothing');
    assert.equal(w.peakHeapBytes, 4242, 'memory is read in unmeasured steps too');
    assert.equal(w.snapshots, 4);
  });

  it('the heap series folds pairs into their minimum past 4000 points, keeping the newest sample', () => {
    const a = acc();
    for (let i = 0; i < 4001; i++) a.add(snap({ heapUsedBytes: 10_000 + (i % 2 ? -i : i), externalBytes: i, startMs: i * 100, endMs: (i + 1) * 100 }));
    const w = a.workers.get(0)!;
    assert.equal(w.heapY.length, 2001);
    assert.equal(w.heapT.length, 2001);
    assert.equal(w.extY.length, 2001);
    assert.equal(w.heapT[0], 100);
    assert.equal(w.heapT[1], 300);
    assert.equal(w.heapT.at(-1), 4001 * 100, 'the newest time');
    assert.equal(w.heapY[0], 10_000 - 1, 'min of 10000 and 9999');
    assert.equal(w.heapY[1], 10_000 - 3);
    assert.equal(w.heapY.at(-1), 10_000 + 4000, 'the newest sample, unfolded');
    assert.equal(w.extY[1], 2);
    assert.equal(w.extY.at(-1), 4000);
  });
});

describe('merge: the time series', () => {
  it('a snapshot lands in the bucket of its midpoint; a bucket closes once every worker reported past its end', () => {
    const a = acc();
    a.expect(2, 0);
    a.add(snap({ workerId: 0, startMs: 0, endMs: 100, ok: [1_000_000, 3_000_000], failed: [9_000_000] }));
    assert.equal(a.series.length, 0, 'worker 1 has not reported: bucket 0 stays open');
    a.add(snap({ workerId: 1, startMs: 0, endMs: 100, ok: [2_000_000] }));
    assert.equal(a.series.length, 1);
    const p = a.series[0] as SeriesPoint;
    const h = ref([1_000_000, 2_000_000, 3_000_000]);
    assert.deepEqual(p, {
      tMs: 100, step: 0, count: 4, errors: 1, throughput: 3 / 0.1,
      p50Ms: h.getValueAtPercentile(50) / 1e6, p99Ms: h.getValueAtPercentile(99) / 1e6, maxMs: floorOf(3_000_000) / 1e6,
    });
    // Midpoint 160 (120..200) is bucket 1; 95..205 has midpoint 150: bucket 1 too.
    a.add(snap({ workerId: 0, startMs: 120, endMs: 200, step: 1 }));
    a.add(snap({ workerId: 1, startMs: 95, endMs: 205, step: 0 }));
    assert.equal(a.series.length, 2);
    assert.equal(a.series[1]!.count, 2);
    assert.equal(a.series[1]!.step, 1, 'the later step names a bucket two steps share');
    assert.equal(a.series[1]!.tMs, 200);
  });

  it('a final snapshot releases its worker; expect() holds buckets for workers that have not started', () => {
    const a = acc();
    a.expect(2, 0);
    a.add(snap({ workerId: 0, startMs: 0, endMs: 100, final: true }));
    assert.equal(a.series.length, 0, 'worker 1 is expected from 0');
    a.add(snap({ workerId: 1, startMs: 0, endMs: 50, final: true }));
    assert.equal(a.series.length, 1, 'both finished: everything closes');
    // A new step expects its workers again from its start.
    a.expect(2, 300);
    a.add(snap({ workerId: 0, startMs: 300, endMs: 400, step: 1 }));
    assert.equal(a.series.length, 1);
    a.add(snap({ workerId: 1, startMs: 300, endMs: 400, step: 1 }));
    assert.equal(a.series.length, 2);
    // expect() does not move a worker back that has already reported further.
    const b = acc();
    b.add(snap({ workerId: 0, startMs: 0, endMs: 500 }));
    assert.equal(b.series.length, 1);
    b.expect(2, 0);
    b.add(snap({ workerId: 1, startMs: 400, endMs: 500 }));
    assert.equal(b.series.length, 2, 'worker 0 is still known to be at 500');
  });

  it('a sliver with no calls is no point; an empty interval of at least half a bucket is', () => {
    const a = acc();
    a.add(snap({ ok: [], startMs: 0, endMs: 49 }));
    a.closeAll();
    assert.equal(a.series.length, 0);
    const b = acc();
    b.add(snap({ ok: [], startMs: 0, endMs: 50 }));
    b.closeAll();
    assert.equal(b.series.length, 1);
    assert.equal(b.series[0]!.count, 0);
    assert.equal(b.series[0]!.throughput, 0);
  });

  it('unmeasured steps add nothing to the series; a snapshot before the origin lands in bucket 0', () => {
    const a = acc((s) => s === 0);
    a.add(snap({ step: 1, startMs: 0, endMs: 100 }));
    a.closeAll();
    assert.equal(a.series.length, 0);
    const b = new RunAccumulator(1000, 100, () => true);
    b.add(snap({ startMs: 800, endMs: 900 }));
    b.closeAll();
    assert.deepEqual(b.series.map((p) => p.tMs), [100]);
  });

  it('a worker that falls far behind cannot hold more than 64 buckets open', () => {
    const a = acc();
    a.expect(2, 0);
    for (let i = 0; i < 70; i++) a.add(snap({ workerId: 0, startMs: i * 100, endMs: (i + 1) * 100 }));
    assert.equal(a.series.length, 70 - 64, 'the oldest are closed, in order');
    assert.deepEqual(a.series.map((p) => p.tMs), [100, 200, 300, 400, 500, 600]);
    a.closeAll();
    assert.equal(a.series.length, 70);
    assert.ok(a.series.every((p, i) => p.tMs === (i + 1) * 100));
  });

  it('past maxPoints neighbouring points merge: counts add, throughput over the wider span, p50/p99 the larger, max exact', () => {
    const a = acc(() => true, 4);
    const lat = [[1_000_000], [2_000_000, 2_000_000], [4_000_000], [3_000_000], [5_000_000]];
    lat.forEach((ok, i) => a.add(snap({ startMs: i * 100, endMs: (i + 1) * 100, ok, failed: i === 1 ? [1] : [], final: i === lat.length - 1 })));
    // Five points closed, the fifth over the limit of 4: halved to three.
    assert.equal(a.series.length, 3);
    const [p0, p1, p2] = a.series as [SeriesPoint, SeriesPoint, SeriesPoint];
    assert.equal(p0.tMs, 200);
    assert.equal(p0.count, 4);
    assert.equal(p0.errors, 1);
    assert.equal(p0.throughput, 3 / 0.2);
    assert.equal(p0.p50Ms, ref([2_000_000]).getValueAtPercentile(50) / 1e6);
    assert.equal(p0.maxMs, floorOf(2_000_000) / 1e6);
    assert.equal(p1.tMs, 400);
    assert.equal(p1.count, 2);
    assert.equal(p1.p99Ms, ref([4_000_000]).getValueAtPercentile(99) / 1e6);
    assert.equal(p2.tMs, 500, 'an odd point out stays as it was');
    assert.equal(p2.count, 1);
    assert.equal(p2.throughput, 1 / 0.1);
  });
});

describe('merge: what cannot be merged changes nothing', () => {
  it('counts that disagree with the histograms throw before anything is added', () => {
    const a = acc();
    a.add(snap({ ok: [1000] }));
    assert.throws(() => a.add(snap({ ok: [1000], calls: 2 })), /counts disagree \(calls 2, errors 0; histograms 1 \+ 0\)/);
    assert.throws(() => a.add(snap({ ok: [1000], failed: [5], errors: 0, calls: 2 })), /counts disagree/);
    assert.throws(() => a.add(snap({ ok: [1000], failed: [5], errors: 2, calls: 3 })), /counts disagree/);
    const s = a.steps.get(0)!;
    assert.equal(s.calls, 1);
    assert.equal(s.all.totalCount, 1);
    assert.equal(a.workers.get(0)!.snapshots, 1);
  });

  it('ingestMessage: malformed messages and unmergeable snapshots are rejected with a reason, totals untouched', () => {
    const a = acc();
    assert.deepEqual(ingestMessage(a, null), { rejected: 'a worker sent a malformed message; it was ignored' });
    assert.ok('rejected' in ingestMessage(a, { ...snap(), calls: -1 }));
    assert.ok('rejected' in ingestMessage(a, { ...snap(), histogram: new Float64Array([1, 2, 3]) }), 'pairs of odd length');
    const bad = { ...snap({ workerId: 3 }), histogram: new Float64Array([1e9, 1]) };
    const r = ingestMessage(a, bad);
    assert.ok('rejected' in r && /worker 3 could not be merged/.test(r.rejected), JSON.stringify(r));
    const disagree = ingestMessage(a, { ...snap({ workerId: 4 }), calls: 5 });
    assert.ok('rejected' in disagree && /worker 4 could not be merged: counts disagree/.test(disagree.rejected));
    assert.equal(a.steps.size, 0);
    assert.equal(a.workers.size, 0);
    const good = snap();
    const ok = ingestMessage(a, good);
    assert.ok('message' in ok && ok.message === good);
    assert.equal(a.steps.get(0)!.calls, 1);
    const done = ingestMessage(a, { type: 'done', workerId: 0, teardownError: undefined });
    assert.ok('message' in done && done.message.type === 'done');
    assert.equal(a.steps.get(0)!.calls, 1, 'other messages merge nothing');
  });
});

describe('merge: what a dead worker left in shared memory', () => {
  it('a harvest takes the pending calls, and a call that overran the step even when nothing else is pending', () => {
    const rec = SharedRecording.create();
    assert.equal(harvest(rec, 0, false), undefined, 'nothing pending: nothing to merge');
    rec.slots[SLOT.step] = 2;
    rec.slots[SLOT.overran] = 1;
    const h = harvest(rec, 3, false);
    assert.ok(h, 'the overran call is harvested');
    assert.deepEqual([h.message.workerId, h.message.step, h.message.calls, h.message.overran, h.message.harvested], [3, 2, 0, 1, true]);
    assert.equal(rec.slots[SLOT.step], -1, 'and the recording is cleared for the replacement');
    const a = acc();
    a.addDecoded(h.message, h.ok, h.failed, h.service, h.lag);
    assert.equal(a.steps.get(2)!.overran, 1);
  });
});
