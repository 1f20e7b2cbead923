/** @module Background work of one `Calipso`: tracked promises and the abort controllers of in-flight starts. */

/** A start in flight: its controller (abort = give up) and its completion. */
export interface StartTask {
  readonly controller: AbortController;
  done: Promise<void>;
}

/** Tracks background promises so that `idle()` and `dispose()` can wait for them. */
export class Tasks {
  readonly #pending = new Set<Promise<unknown>>();
  /** In-flight starts by instance id. */
  readonly starts = new Map<string, StartTask>();
  /** Instances whose teardown runs in this process. */
  readonly teardowns = new Set<string>();
  /** Aborted by `dispose()`. */
  readonly shutdown = new AbortController();

  /** Tracks a promise until it settles; its rejection is swallowed here (callers handle errors). */
  track<T>(promise: Promise<T>): Promise<T> {
    const settled = promise.then(
      () => undefined,
      () => undefined,
    );
    this.#pending.add(settled);
    void settled.then(() => this.#pending.delete(settled));
    return promise;
  }

  /** Resolves when every tracked promise has settled, including ones tracked meanwhile. */
  async idle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }
}
