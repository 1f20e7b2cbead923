/** @module An in-process hub of instance events (state changes and start progress). */
import type { InstanceEvent } from "../calipso-types.ts";

type Listener = (event: InstanceEvent) => void;

/** Publishes instance events to the subscribers of that instance. */
export class EventHub {
  readonly #listeners = new Map<string, Set<Listener>>();

  /** Subscribes to one instance's events; returns the unsubscribe function. */
  subscribe(instanceId: string, listener: Listener): () => void {
    let set = this.#listeners.get(instanceId);
    if (!set) this.#listeners.set(instanceId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.#listeners.get(instanceId) === set) this.#listeners.delete(instanceId);
    };
  }

  /** Delivers an event to the instance's subscribers; a throwing listener never breaks the publisher. */
  publish(event: InstanceEvent): void {
    for (const listener of [...(this.#listeners.get(event.instanceId) ?? [])]) {
      try {
        listener(event);
      } catch {
        // A subscriber's failure is its own problem.
      }
    }
  }

  /** Number of subscribers of an instance (for tests). */
  subscribers(instanceId: string): number {
    return this.#listeners.get(instanceId)?.size ?? 0;
  }
}
