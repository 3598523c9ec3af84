/**
 * The drive loops run here, on this thread, with a real DriveContext over
 * shared memory and a real port: an extractor that counts its calls tells
 * exactly how many completed, and the posted snapshots must account for
 * every one of them, whatever the step does while a call is in flight.
 */
import assert from 'node:assert/strict';
import { MessageChannel } from 'node:worker_threads';
import { describe, it } from 'node:test';
import { CLOCK, CLOCK_SLOTS, CTRL, CTRL_SLOTS, type DriveTask, type StepConfig, type WorkerMessage } from '../src/engine/protocol.js';
import { SharedRecording, SLOT } from '../src/engine/shared-recording.js';
import type { ExtractorFn } from '../src/extractor/load.js';
import { driveBatched, driveClosed, driveLanes } from '../workers/closed-loop.js';
import { DriveContext } from '../workers/drive-context.js';
import { driveOpen } from '../workers/open-loop.js';

type Loop = (d: DriveContext, step: number, cfg: StepConfig, gen: number) => Promise<void>;

function spin(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

/** Until the final snapshot has arrived (a message crosses the event loop, however busy the host). */
async function finalArrived(got: WorkerMessage[]): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!got.some((m) => m.type === 'snapshot' && m.final) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  await new Promise((r) => setImmediate(r));
}

/**
 * Drive one step with `fn` (given the control words, to change the step as
 * the coordinator would) and return what completed beside what was posted.
 */
async function drive(
  loop: Loop, step: Partial<StepConfig>, make: (ctrl: Int32Array, done: () => number) => ExtractorFn,
): Promise<{ completed: number; posted: number; overran: number; finals: number }> {
  const ctrl = new Int32Array(new SharedArrayBuffer(CTRL_SLOTS * 4));
  const clock = new Float64Array(new SharedArrayBuffer(CLOCK_SLOTS * 8));
  const rec = SharedRecording.create();
  const { port1, port2 } = new MessageChannel();
  const got: WorkerMessage[] = [];
  port1.on('message', (m: WorkerMessage) => got.push(m));
  const t0 = performance.timeOrigin + performance.now();
  clock[CLOCK.start] = t0;
  clock[CLOCK.runStart] = t0;
  ctrl[CTRL.generation] = 1;
  ctrl[CTRL.step] = 0;
  const cfg: StepConfig = {
    workers: 1, lanes: 1, concurrency: 1, warmupMs: 0, iterations: undefined, durationMs: 10_000, open: undefined,
    thinkMs: undefined, batch: 1, autoBatch: false, dynamic: false, profile: false, ...step,
  };
  const task: DriveTask = {
    workerId: 0, port: port2, control: ctrl.buffer as SharedArrayBuffer, clock: clock.buffer as SharedArrayBuffer, recording: rec.buffer,
    extractorPath: '', exportName: undefined, extractorOptions: undefined, rows: [], snapshotIntervalMs: 20, steps: [cfg],
    pinCpu: undefined, profiling: undefined,
  };
  let completed = 0;
  const fn = make(ctrl, () => ++completed);
  const d = new DriveContext(task, fn, undefined);
  await loop(d, 0, cfg, 1);
  await finalArrived(got);
  port1.close();
  port2.close();
  const snaps = got.filter((m) => m.type === 'snapshot');
  return {
    completed,
    posted: snaps.reduce((a, m) => a + m.calls, 0),
    overran: snaps.reduce((a, m) => a + m.overran, 0) + (rec.slots[SLOT.overran] as number),
    finals: snaps.filter((m) => m.final).length,
  };
}

/** A call that takes `ms` and, on call `at`, moves the run to another step while it is in flight. */
const switchesStep = (at: number, ms: number, async: boolean) => (ctrl: Int32Array, done: () => number): ExtractorFn => {
  let n = 0;
  const call = (): number => {
    if (++n === at) Atomics.add(ctrl, CTRL.generation, 1);
    spin(ms);
    return done();
  };
  return async ? (async () => { await new Promise((r) => setImmediate(r)); return call(); }) as ExtractorFn : (call as ExtractorFn);
};

const loops: Array<[string, Loop, Partial<StepConfig>, boolean]> = [
  ['one call at a time, sync', driveClosed, {}, false],
  ['one call at a time, async', driveClosed, {}, true],
  ['batched', (d, s, c, g) => driveBatched(d, s, c, g, 7), { batch: 7 }, false],
  ['several lanes', (d, s, c, g) => driveLanes(d, s, c, g, 3), { lanes: 3, concurrency: 3 }, true],
  ['open loop, sync', driveOpen, { open: { rate: 2000, arrival: 'uniform', lateAfterMs: 5, dropAfterMs: 10_000 } }, false],
  ['open loop, async lanes', driveOpen, { lanes: 3, concurrency: 3, open: { rate: 2000, arrival: 'poisson', lateAfterMs: 5, dropAfterMs: 10_000 } }, true],
];

describe('the drive loops lose no completed call', () => {
  for (const [name, loop, step, async] of loops) {
    it(`${name}: a step change while a call is in flight: that call and every one before it are posted`, async () => {
      const r = await drive(loop, step, switchesStep(40, 0.2, async));
      assert.ok(r.completed >= 40, `the loop ran up to the switch (${r.completed} calls)`);
      assert.equal(r.posted, r.completed, `${r.completed} calls completed inside the window, ${r.posted} posted`);
      assert.equal(r.overran, 0);
      assert.equal(r.finals, 1, 'one final snapshot');
    });
  }

  for (const [name, loop, step, async] of loops.filter(([, , s]) => !s.open)) {
    it(`${name}: calls that end past the step's nominal end are counted as overran, the rest posted`, async () => {
      // 30 ms of 2 ms calls: the call (or batch, or lanes) in flight at the end completes outside the window.
      const r = await drive(loop, { ...step, durationMs: 30 }, switchesStep(Infinity, 2, async));
      assert.ok(r.overran >= 1, `something was in flight at the end (${r.overran})`);
      assert.equal(r.posted + r.overran, r.completed, `${r.completed} completed = ${r.posted} posted + ${r.overran} overran`);
      assert.equal(r.finals, 1);
    });
  }
});
