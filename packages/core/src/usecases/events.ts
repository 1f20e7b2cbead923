/** @module Instance events: the current state first, then live state and progress events until terminal or aborted. */
import type { InstanceEvent } from "../calipso-types.ts";
import { isTerminal } from "../domain/instance.ts";
import type { InstanceState } from "../domain/instance.ts";
import type { User } from "../domain/user.ts";
import type { Ctx } from "./context.ts";
import { findVisible } from "./instances.ts";

const RANK: Readonly<Record<InstanceState, number>> = { pending: 0, starting: 1, running: 2, terminating: 3, terminated: 4, failed: 4 };
const MAX_QUEUE = 1000;

async function* stream(ctx: Ctx, actor: User, id: string, signal: AbortSignal | undefined): AsyncGenerator<InstanceEvent> {
  const queue: InstanceEvent[] = [];
  let wake: (() => void) | undefined;
  // Subscribe before reading the current state, so no event falls between the two.
  const unsubscribe = ctx.hub.subscribe(id, (event) => {
    queue.push(event);
    if (queue.length > MAX_QUEUE) {
      const i = queue.findIndex((e) => e.type === "progress");
      queue.splice(i >= 0 ? i : 0, 1);
    }
    wake?.();
  });
  const onAbort = () => wake?.();
  signal?.addEventListener("abort", onAbort);
  try {
    const current = await findVisible(ctx, actor, id);
    let last = current.state;
    yield {
      instanceId: id,
      at: ctx.now(),
      type: "state",
      state: current.state,
      ...(current.stateReason !== undefined ? { message: current.stateReason } : {}),
    };
    if (isTerminal(last)) return;
    while (!signal?.aborted) {
      const event = queue.shift();
      if (!event) {
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        continue;
      }
      if (event.type === "state") {
        // Events older than the state we already reported are stale.
        if (RANK[event.state] <= RANK[last]) continue;
        last = event.state;
      }
      yield event;
      if (event.type === "state" && isTerminal(event.state)) return;
    }
  } finally {
    unsubscribe();
    signal?.removeEventListener("abort", onAbort);
  }
}

/** The events of an instance the actor may see; iterating a foreign or unknown id throws `NOT_FOUND`. */
export function events(ctx: Ctx, actor: User, id: string, options: { signal?: AbortSignal } = {}): AsyncIterable<InstanceEvent> {
  return { [Symbol.asyncIterator]: () => stream(ctx, actor, id, options?.signal ?? undefined) };
}
