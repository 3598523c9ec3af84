/** The coordinator's waits: on a condition it re-checks when poked, on a promise with a limit, on a cancellable timer. */

/** Resolves when `cond` holds, re-checked whenever `poke` is called. */
export class Waiter {
  private waiters: { cond: () => boolean; resolve: () => void }[] = [];
  until(cond: () => boolean): Promise<void> {
    if (cond()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ cond, resolve }));
  }
  poke(): void {
    this.waiters = this.waiters.filter((w) => {
      if (!w.cond()) return true;
      w.resolve();
      return false;
    });
  }
}

/** Wait for `p` at most `ms`. The timer stays referenced: the wait itself must keep the process alive. */
export async function within(p: Promise<unknown>, ms: number): Promise<'done' | 'timeout'> {
  let t: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((r) => {
    t = setTimeout(() => r('timeout'), ms);
  });
  try {
    return await Promise.race([p.then(() => 'done' as const), timeout]);
  } finally {
    clearTimeout(t);
  }
}

export function sleep(ms: number, waiter: Waiter, cancelled: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    void waiter.until(cancelled).then(() => {
      clearTimeout(t);
      resolve();
    });
  });
}
