/**
 * Everything the drive loop reads off globals, taken once when this module
 * loads, before any user module: an extractor (or a library it loads) may
 * replace `performance.now`, `process.hrtime`, `Date`, timers, `Math` or
 * `Atomics`, and none of that may change what strain measures.
 */
import { performance } from 'node:perf_hooks';
import { MessagePort } from 'node:worker_threads';

export const now: () => number = performance.now.bind(performance);
export const ORIGIN: number = performance.timeOrigin;
export const memoryUsage: () => NodeJS.MemoryUsage = process.memoryUsage.bind(process);

export const atomicsLoad = Atomics.load;
export const atomicsStore = Atomics.store;
export const atomicsAdd = Atomics.add;
export const atomicsWait = Atomics.wait;
export const atomicsNotify = Atomics.notify;
export const atomicsCompareExchange = Atomics.compareExchange;

export const round = Math.round;
export const floorOf = Math.floor;
export const mathMin = Math.min;
export const mathMax = Math.max;

export const setTimer = setTimeout;
export const setImmediateOf = setImmediate;
export const setIntervalOf = setInterval;
export const clearIntervalOf = clearInterval;

const postMessageOf = MessagePort.prototype.postMessage;
/** `port.postMessage(msg, transfer)` through the method as it was at load. */
export function post(port: MessagePort, msg: unknown, transfer: ArrayBuffer[] = []): void {
  postMessageOf.call(port, msg, transfer);
}
