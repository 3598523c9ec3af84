import { MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { Piscina } from 'piscina';
import type { DriveTask, WorkerMessage } from './protocol.js';

export type FaultKind = 'hang' | 'crash' | 'exit' | 'oom' | 'load' | 'protocol';

/** Classify why a drive task ended badly. */
export function faultKindOf(e: unknown): FaultKind {
  const err = e as { code?: string; message?: string } | undefined;
  if (err?.code === 'ERR_WORKER_OUT_OF_MEMORY' || /out of memory|heap limit/i.test(err?.message ?? '')) return 'oom';
  if (/exited|exit code|terminated/i.test(err?.message ?? '')) return 'exit';
  return 'crash';
}

interface Incarnation {
  port: MessagePort;
  controller: AbortController;
  task: Promise<void>;
  killed: boolean;
}

/**
 * The drive tasks of one run: one per worker id, started, watched and
 * replaced. Each task runs with its own AbortSignal, so a hung worker can be
 * terminated (Piscina ends a running task's thread when its signal aborts
 * and starts a fresh thread to keep the pool's size).
 */
export class WorkerSet {
  private readonly live = new Map<number, Incarnation>();

  constructor(
    private readonly pool: Piscina,
    private readonly makeTask: (workerId: number, port: MessagePort) => DriveTask,
    private readonly onMessage: (m: WorkerMessage) => void,
    /** A task ended: error undefined when it returned normally; killed when we aborted it. */
    private readonly onEnd: (workerId: number, error: unknown, killed: boolean) => void,
  ) {}

  /** Start (or restart) the drive task of `workerId`. */
  start(workerId: number): void {
    const { port1, port2 } = new MessageChannel();
    const controller = new AbortController();
    port1.on('message', (m: WorkerMessage) => this.onMessage(m));
    const inc: Incarnation = { port: port1, controller, killed: false, task: Promise.resolve() };
    inc.task = this.pool
      .run(this.makeTask(workerId, port2), { transferList: [port2], signal: controller.signal })
      .then(
        () => this.ended(workerId, inc, undefined),
        (e: unknown) => this.ended(workerId, inc, e ?? new Error('task failed')),
      );
    this.live.set(workerId, inc);
  }

  private ended(workerId: number, inc: Incarnation, error: unknown): void {
    // Everything the worker posted before its task ended is queued on the
    // port, but may not have been emitted yet: Piscina can learn of the end
    // first (it drains every worker's result synchronously), and a port
    // closed with messages queued drops them, a final snapshot among them.
    this.drain(inc);
    inc.port.close();
    if (this.live.get(workerId) === inc) this.live.delete(workerId);
    this.onEnd(workerId, error, inc.killed);
  }

  /** Hand every message still queued on an incarnation's port to onMessage, in order. */
  private drain(inc: Incarnation): void {
    for (let m = receiveMessageOnPort(inc.port); m !== undefined; m = receiveMessageOnPort(inc.port)) this.onMessage(m.message as WorkerMessage);
  }

  /** Terminate a worker's thread (it is hung). */
  kill(workerId: number): void {
    const inc = this.live.get(workerId);
    if (!inc) return;
    inc.killed = true;
    inc.controller.abort(new Error(`worker ${workerId} terminated by strain`));
  }

  isLive(workerId: number): boolean {
    return this.live.has(workerId);
  }

  /** Every running task settled (or the timeout passed). */
  async settle(timeoutMs: number): Promise<void> {
    let t: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.live.values()].map((i) => i.task)),
      new Promise((r) => {
        t = setTimeout(r, timeoutMs);
      }),
    ]);
    clearTimeout(t);
  }

  /** Close the live incarnations' ports, after handing on what is queued on them. */
  closePorts(): void {
    for (const inc of this.live.values()) {
      this.drain(inc);
      inc.port.close();
    }
  }
}
