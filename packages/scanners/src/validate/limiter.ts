/**
 * Caps how many requests run at once to each host. Requests over the cap wait in FIFO order, so
 * one slow host never holds up the checks of another.
 */
export class HostLimiter {
  readonly #limit: number;
  readonly #active = new Map<string, number>();
  readonly #waiting = new Map<string, Array<() => void>>();

  /** @param limit - requests allowed at once per host (at least 1) */
  constructor(limit: number) {
    this.#limit = Math.max(1, Math.floor(limit));
  }

  /**
   * Runs `task` once a slot for `host` is free, and frees the slot when it settles.
   *
   * @param host - the host (with port) the task talks to
   * @param task - the work to run
   */
  async run<T>(host: string, task: () => Promise<T>): Promise<T> {
    await this.#acquire(host);
    try {
      return await task();
    } finally {
      this.#release(host);
    }
  }

  #acquire(host: string): Promise<void> {
    const active = this.#active.get(host) ?? 0;
    if (active < this.#limit) {
      this.#active.set(host, active + 1);
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const queue = this.#waiting.get(host) ?? [];
      queue.push(resolve);
      this.#waiting.set(host, queue);
    });
  }

  #release(host: string): void {
    const next = this.#waiting.get(host)?.shift();
    if (next) {
      // The slot passes straight to the next waiter: the active count stays the same.
      next();
      return;
    }
    const active = (this.#active.get(host) ?? 1) - 1;
    if (active <= 0) this.#active.delete(host);
    else this.#active.set(host, active);
  }
}
