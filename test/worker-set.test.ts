/**
 * WorkerSet's promise about messages: everything a worker posted before its
 * task ended reaches the coordinator, before the end is reported. Piscina
 * learns of a task's end on its own port and may drain a finished worker's
 * result synchronously while handling another's, so the end can be known
 * before the worker's last messages have been emitted on ours. A pool that
 * does exactly that makes the race certain instead of rare.
 */
import assert from 'node:assert/strict';
import { MessageChannel } from 'node:worker_threads';
import { describe, it } from 'node:test';
import type { Piscina } from 'piscina';
import type { DriveTask, WorkerMessage } from '../src/engine/protocol.js';
import { WorkerSet } from '../src/engine/worker-set.js';

/**
 * Runs each task "in" this thread: when its own channel delivers (mid poll
 * phase, after the set's port had its turn), it posts `posts` messages on the
 * task's port and ends the task at once, as a worker posting its final
 * snapshot and 'done' just before returning does.
 */
function poolThatLearnsFirst(posts: number, fail: boolean): Piscina {
  return {
    run(task: DriveTask): Promise<void> {
      return new Promise<void>((resolve, reject) => {
        const ch = new MessageChannel();
        ch.port1.once('message', () => {
          for (let i = 0; i < posts; i++) task.port.postMessage({ type: 'snapshot', workerId: task.workerId, seq: i });
          // As the driver does: 'done', then its end of the channel closes.
          if (!fail) {
            task.port.postMessage({ type: 'done', workerId: task.workerId, teardownError: undefined });
            task.port.close();
          }
          ch.port1.close();
          if (fail) reject(new Error('worker exited with code: 1'));
          else resolve();
        });
        ch.port2.postMessage('go');
      });
    },
  } as unknown as Piscina;
}

async function runOnce(posts: number, fail: boolean): Promise<{ events: string[] }> {
  const events: string[] = [];
  let ended!: () => void;
  const end = new Promise<void>((r) => (ended = r));
  const set = new WorkerSet(
    poolThatLearnsFirst(posts, fail),
    (workerId, port) => ({ workerId, port } as unknown as DriveTask),
    (m: WorkerMessage) => events.push(m.type === 'snapshot' ? `snapshot ${(m as unknown as { seq: number }).seq}` : m.type),
    (workerId, error) => {
      events.push(`end ${workerId}${error ? ' with error' : ''}`);
      ended();
    },
  );
  set.start(0);
  await end;
  // Anything still to come would arrive within a few turns of the loop.
  await new Promise((r) => setTimeout(r, 50));
  return { events };
}

describe('worker set: no message posted before a task ended is lost', () => {
  it('a task that returns right after its last posts: every message, in order, then the end', async () => {
    const { events } = await runOnce(3, false);
    assert.deepEqual(events, ['snapshot 0', 'snapshot 1', 'snapshot 2', 'done', 'end 0']);
  });

  it('a worker that dies right after posting: its snapshots arrive before its death is reported (and harvested)', async () => {
    const { events } = await runOnce(2, true);
    assert.deepEqual(events, ['snapshot 0', 'snapshot 1', 'end 0 with error']);
  });

  it('a long backlog of messages is handed on whole', async () => {
    const { events } = await runOnce(5000, false);
    assert.equal(events.length, 5002);
    assert.equal(events.at(-2), 'done');
    assert.equal(events.at(-1), 'end 0');
  });
});
