/** @module The instance state machine, as a pure function. */
import { AppError } from "../errors.ts";
import type { InstanceState } from "./instance.ts";

/** Every allowed transition: `from → to[]`. Anything else is refused. */
export const INSTANCE_TRANSITIONS: Readonly<Record<InstanceState, readonly InstanceState[]>> = {
  pending: ["starting", "terminating", "failed"],
  starting: ["running", "terminating", "failed"],
  running: ["terminating", "failed"],
  terminating: ["terminated", "failed"],
  terminated: [],
  failed: [],
};

/** Whether `from → to` is an allowed transition. */
export function canTransition(from: InstanceState, to: InstanceState): boolean {
  return INSTANCE_TRANSITIONS[from].includes(to);
}

/**
 * Returns `to` when `from → to` is allowed; throws `CONFLICT` otherwise.
 *
 * @example
 * const next = transition(instance.state, "terminating");
 */
export function transition(from: InstanceState, to: InstanceState): InstanceState {
  if (!canTransition(from, to)) {
    throw new AppError("CONFLICT", { detail: `An instance cannot go from ${from} to ${to}`, meta: { from, to } });
  }
  return to;
}
