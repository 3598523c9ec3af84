/** Where the run's threads go: the placement the result reports, decided (and the coordinator pinned) before workers start. */
import os from 'node:os';
import { pinningUnavailable, pinThread, planPinning, type PinPlan } from './pinning.js';

export interface Placement {
  requested: boolean;
  pinned: boolean;
  coordinatorCpus: number[] | null;
  workers: { workerId: number; tid: number | null; cpu: number | null }[];
  note: string;
}

/** Decide CPU placement; pins the coordinator's thread now when asked and possible. */
export function placementFor(pin: boolean, workers: number): Placement & { plan: PinPlan | undefined } {
  if (!pin) return { requested: false, pinned: false, coordinatorCpus: null, workers: [], note: 'not pinned (pass --pin to pin)', plan: undefined };
  const why = pinningUnavailable();
  if (why) return { requested: true, pinned: false, coordinatorCpus: null, workers: [], note: `NOT pinned: ${why}`, plan: undefined };
  const plan = planPinning(workers);
  let note = plan.note;
  if (plan.coordinatorCpus) {
    const err = pinThread(process.pid, plan.coordinatorCpus);
    if (err) note = `${note}; coordinator not pinned: ${err}`;
  }
  return { requested: true, pinned: true, coordinatorCpus: plan.coordinatorCpus ?? null, workers: [], note, plan };
}

/** Give the coordinator's thread back all CPUs: pinning was for one run only. */
export function unpinCoordinator(placement: Placement): void {
  if (placement.coordinatorCpus) pinThread(process.pid, Array.from({ length: os.cpus().length }, (_, i) => i));
}
