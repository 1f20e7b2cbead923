import { describe, expect, it, vi } from "vitest";
import { AppError } from "../errors.ts";
import { createCalipso } from "../calipso.ts";
import { createTestCalipso } from "../testing/fixture.ts";
import { hashToken } from "../tokens.ts";
import { createSessionCache } from "./session-cache.ts";

const unauthenticated = (e: unknown) => AppError.is(e, "UNAUTHENTICATED");

async function cached(cacheSec = 5) {
  const t = await createTestCalipso({ deps: { sessions: { ttlSec: 3600, cacheSec } } });
  const login = await t.calipso.login({ method: "password", username: "alice", password: "alice-pw" });
  const sessionReads = vi.spyOn(t.store.sessions, "get");
  const userReads = vi.spyOn(t.store.users, "get");
  return { t, login, sessionReads, userReads };
}

describe("session cache (sessions.cacheSec)", () => {
  it("is off by default: every authentication reads the session and its user", async () => {
    const t = await createTestCalipso();
    const { token } = await t.calipso.login({ method: "password", username: "alice", password: "alice-pw" });
    const reads = vi.spyOn(t.store.sessions, "get");
    for (let i = 0; i < 3; i++) await t.calipso.authenticate(token);
    expect(reads).toHaveBeenCalledTimes(3);
  });

  it("answers a session authenticated within cacheSec from memory, and reads it again afterwards", async () => {
    const { t, login, sessionReads, userReads } = await cached(5);
    for (let i = 0; i < 5; i++) expect((await t.calipso.authenticate(login.token)).user.id).toBe(login.user.id);
    expect(sessionReads).toHaveBeenCalledTimes(1);
    expect(userReads).toHaveBeenCalledTimes(1);
    t.clock.advance(5_001);
    await t.calipso.authenticate(login.token);
    expect(sessionReads).toHaveBeenCalledTimes(2);
  });

  it("still slides the expiry in the store while the entry is cached", async () => {
    const { t, login } = await cached(60);
    await t.calipso.authenticate(login.token);
    t.clock.advance(59_000);
    const slid = await t.calipso.authenticate(login.token);
    expect(slid.expiresAt).toEqual(new Date(t.clock.now().getTime() + 3_600_000));
    expect((await t.store.sessions.get(hashToken(login.token)))?.expiresAt).toEqual(slid.expiresAt);
  });

  it("forgets a session at logout at once", async () => {
    const { t, login } = await cached(300);
    await t.calipso.authenticate(login.token);
    await t.calipso.logout(login.token);
    await expect(t.calipso.authenticate(login.token)).rejects.toSatisfy(unauthenticated);
  });

  it("never answers a session past its expiry, even inside cacheSec", async () => {
    const t = await createTestCalipso({ deps: { sessions: { ttlSec: 60, cacheSec: 3600 } } });
    const { token } = await t.calipso.login({ method: "password", username: "alice", password: "alice-pw" });
    await t.calipso.authenticate(token);
    t.clock.advance(61_000);
    await expect(t.calipso.authenticate(token)).rejects.toSatisfy(unauthenticated);
    expect(await t.store.sessions.get(hashToken(token))).toBeNull();
  });

  it("sees a role change made by this process at once", async () => {
    const t = await createTestCalipso({ deps: { sessions: { cacheSec: 300 } } });
    const admin = await t.calipso.login({ method: "password", username: "root", password: "root-pw" });
    const alice = await t.calipso.login({ method: "password", username: "alice", password: "alice-pw" });
    expect((await t.calipso.authenticate(alice.token)).user.roles).toEqual(["user"]);
    await t.calipso.admin.setRoles(admin.user, alice.user.id, ["user", "admin"]);
    expect((await t.calipso.authenticate(alice.token)).user.roles).toContain("admin");
    await t.calipso.admin.setRoles(admin.user, alice.user.id, ["user"]);
    expect((await t.calipso.authenticate(alice.token)).user.roles).toEqual(["user"]);
  });

  it("lets another replica's logout reach this one only after cacheSec (the documented trade-off)", async () => {
    const { t, login } = await cached(5);
    const replicaB = createCalipso({ ...t.deps, sessions: { ttlSec: 3600, cacheSec: 5 } });
    await replicaB.authenticate(login.token);
    await t.calipso.logout(login.token); // on replica A
    await expect(t.calipso.authenticate(login.token)).rejects.toSatisfy(unauthenticated);
    expect((await replicaB.authenticate(login.token)).user.id).toBe(login.user.id); // still cached on B
    t.clock.advance(5_001);
    await expect(replicaB.authenticate(login.token)).rejects.toSatisfy(unauthenticated);
  });

  it("refuses a cacheSec outside 0..3600", async () => {
    const t = await createTestCalipso();
    for (const cacheSec of [-1, 3601, Number.NaN]) {
      expect(() => createCalipso({ ...t.deps, sessions: { cacheSec } })).toThrow(expect.objectContaining({ code: "INVALID_CONFIG" }));
    }
  });

  it("is bounded: the oldest entry goes when it is full", () => {
    const cache = createSessionCache(60_000, 2);
    const user = { id: "u1", username: "u1", roles: ["user"], mayUseOwnResources: false, createdAt: new Date(0) } as const;
    cache.set("a", { ...user, roles: ["user"] }, new Date(1e12), 0);
    cache.set("b", { ...user, roles: ["user"] }, new Date(1e12), 0);
    cache.set("c", { ...user, roles: ["user"] }, new Date(1e12), 0);
    expect([cache.get("a", 1), cache.get("b", 1), cache.get("c", 1)].map((e) => e !== undefined)).toEqual([false, true, true]);
    cache.deleteUser("u1");
    expect(cache.size).toBe(0);
  });
});
