import { describe, expect, it } from "vitest";
import { AppError } from "../errors.ts";
import { InstanceStateSchema } from "./instance.ts";
import type { InstanceState } from "./instance.ts";
import { INSTANCE_TRANSITIONS, canTransition, transition } from "./instance-state.ts";
import { ACTIVE_STATES, TERMINAL_STATES, isTerminal } from "./instance.ts";

const STATES = InstanceStateSchema.options as readonly InstanceState[];

/** The table the design fixes, written out independently of the implementation. */
const ALLOWED = new Set([
  "pending→starting",
  "pending→terminating",
  "pending→failed",
  "starting→running",
  "starting→terminating",
  "starting→failed",
  "running→terminating",
  "running→failed",
  "terminating→terminated",
  "terminating→failed",
]);

describe("instance state machine", () => {
  it("has exactly six states", () => {
    expect([...STATES].sort()).toEqual(["failed", "pending", "running", "starting", "terminated", "terminating"]);
  });

  const cases = STATES.flatMap((from) => STATES.map((to) => [from, to, ALLOWED.has(`${from}→${to}`)] as const));
  it.each(cases)("%s → %s allowed: %s", (from, to, allowed) => {
    expect(canTransition(from, to)).toBe(allowed);
    if (allowed) {
      expect(transition(from, to)).toBe(to);
    } else {
      let error: unknown;
      try {
        transition(from, to);
      } catch (e) {
        error = e;
      }
      expect(AppError.is(error, "CONFLICT")).toBe(true);
      expect((error as AppError).meta).toEqual({ from, to });
    }
  });

  it("covers all 36 pairs and allows exactly 10", () => {
    expect(cases).toHaveLength(36);
    expect(cases.filter(([, , a]) => a)).toHaveLength(10);
    expect(Object.values(INSTANCE_TRANSITIONS).flat()).toHaveLength(10);
  });

  it("lets every non-terminal state fail, and no terminal state move", () => {
    for (const s of STATES) {
      expect(canTransition(s, "failed")).toBe(!isTerminal(s));
      if (isTerminal(s)) expect(INSTANCE_TRANSITIONS[s]).toEqual([]);
    }
    expect([...TERMINAL_STATES].sort()).toEqual(["failed", "terminated"]);
    expect([...ACTIVE_STATES, ...TERMINAL_STATES].sort()).toEqual([...STATES].sort());
  });
});
