import { describe, expect, it } from "vitest";
import { createMemoryRateLimiter } from "./rate-limit.ts";

describe("[server/rate-limit-unit] fixed windows", () => {
  it("blocks after max events until the window ends, with the seconds to wait", async () => {
    const l = createMemoryRateLimiter();
    const limit = { max: 2, windowSec: 60 };
    await l.hit("k", limit, 0);
    expect(await l.retryAfter("k", limit, 1000)).toBe(0);
    await l.hit("k", limit, 1000);
    expect(await l.retryAfter("k", limit, 1000)).toBe(59);
    expect(await l.retryAfter("other", limit, 1000)).toBe(0);
    expect(await l.retryAfter("k", limit, 60_000)).toBe(0);
    await l.hit("k", limit, 2000);
    await l.reset("k");
    expect(await l.retryAfter("k", limit, 2000)).toBe(0);
  });

  it("stays bounded in memory", async () => {
    const l = createMemoryRateLimiter({ maxKeys: 10 });
    for (let i = 0; i < 100; i++) await l.hit(`k${i}`, { max: 1, windowSec: 60 }, 0);
    expect(await l.retryAfter("k99", { max: 1, windowSec: 60 }, 0)).toBeGreaterThan(0);
    expect(await l.retryAfter("k0", { max: 1, windowSec: 60 }, 0)).toBe(0);
  });
});
