/** @module A keyed mutex: serialised sections per key (one user, one lease), web-standard only. */

/**
 * Runs async sections one after another per key. Sections of different keys run concurrently.
 *
 * @example
 * const locks = new KeyedMutex();
 * await locks.run(userId, async () => admit());
 */
export class KeyedMutex {
  readonly #tails = new Map<string, Promise<void>>();

  /** Runs `fn` once every earlier section of `key` has settled; returns its result. */
  async run<T>(key: string, fn: () => Promise<T> | T): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => mine);
    this.#tails.set(key, tail);
    try {
      await previous;
      return await fn();
    } finally {
      release();
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }
}
