/**
 * @module Self-check of the runtime-neutral vitest shim, run on every runtime before the real tests count.
 *
 * Tests titled `must-fail` have to be reported as failed and `must-pass` as passed; `scripts/test-runtimes.mjs`
 * fails the runtime otherwise, so a shim that silently passes broken assertions cannot go unnoticed.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it, test, vi } from "vitest";

const order = [];

describe("must-pass", () => {
  beforeAll(() => {
    order.push("beforeAll");
  });
  beforeEach(() => {
    order.push("beforeEach");
  });
  afterEach(() => {
    order.push("afterEach");
  });

  it("equality, objects and errors", () => {
    expect(1 + 1).toBe(2);
    expect({ a: [1, { b: 2 }] }).toEqual({ a: [1, { b: 2 }] });
    expect({ a: 1, b: 2 }).toMatchObject({ a: 1 });
    expect([1, 2, 3]).toContain(2);
    expect("calipso").toMatch(/lip/);
    expect(() => {
      throw new TypeError("boom");
    }).toThrow(/boom/);
    expect({ id: "x", n: 3 }).toEqual({ id: expect.any(String), n: expect.any(Number) });
  });

  it("async matchers and web APIs", async () => {
    await expect(Promise.reject(new Error("nope"))).rejects.toThrow("nope");
    await expect(Promise.resolve(7)).resolves.toBe(7);
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode("abc"));
    expect(new Uint8Array(digest)[0]).toBe(0xba);
  });

  it("hooks ran in order", () => {
    expect(order.slice(0, 4)).toEqual(["beforeAll", "beforeEach", "afterEach", "beforeEach"]);
  });

  it("vi.fn records calls", () => {
    const f = vi.fn((x) => x * 2);
    expect(f(2)).toBe(4);
    expect(f).toHaveBeenCalledWith(2);
    expect(f).toHaveBeenCalledTimes(1);
  });

  it.each([
    [1, 2],
    [2, 3],
  ])("each %i → %i", (a, b) => {
    expect(a + 1).toBe(b);
  });

  test.fails("test.fails passes when the body throws", () => {
    expect(1).toBe(2);
  });
});

describe("must-fail", () => {
  it("toBe mismatch", () => {
    expect(1).toBe(2);
  });
  it("toEqual mismatch", () => {
    expect({ a: 1 }).toEqual({ a: 2 });
  });
  it("not.toThrow when it throws", () => {
    expect(() => {
      throw new Error("x");
    }).not.toThrow();
  });
  it("rejected promise not awaited by the test", () => {
    expect(Promise.resolve(1)).resolves.toBe(2);
  });
  it("throws in the body", async () => {
    await Promise.resolve();
    throw new Error("thrown");
  });
  it("expect.assertions count unmet", () => {
    expect.assertions(2);
    expect(true).toBe(true);
  });
  it("vi.fn not called", () => {
    expect(vi.fn()).toHaveBeenCalled();
  });
  it("times out", async () => {
    await new Promise(() => {});
  }, 200);
  test.fails("test.fails fails when the body passes", () => {
    expect(1).toBe(1);
  });
  describe("beforeEach that throws", () => {
    beforeEach(() => {
      throw new Error("hook");
    });
    it("fails through its hook", () => {
      expect(true).toBe(true);
    });
  });
});

describe("must-pass async describe", async () => {
  const value = await Promise.resolve(42);
  it("registers tests after an await", () => {
    expect(value).toBe(42);
  });
});
