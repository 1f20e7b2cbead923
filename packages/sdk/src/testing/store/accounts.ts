/** @module Store suites `users`, `sessions` and `apiTokens`. */
import { describe, expect } from "vitest";
import { hashToken } from "@calipso/core";
import type { ApiTokenRecord, SessionRecord } from "@calipso/core";
import { expectRejectsWith } from "../shared/errors.ts";
import { randomSuffix } from "../shared/kit.ts";
import type { StoreHarness } from "./harness.ts";
import { at, newUser, username } from "./harness.ts";

const hash = () => hashToken(`kit-${randomSuffix(16)}`);

/** Registers the `users` suite. */
export function usersSuite(h: StoreHarness): void {
  const { kit } = h;
  describe("users", () => {
    const store = h.useStore();
    kit.test("users-01", "upsertFromIdentity creates a user with an id and the role user; get and getByUsername find it", async () => {
      const name = username();
      const user = await store().users.upsertFromIdentity({ username: name, displayName: "Ada", email: "ada@example.org" }, at());
      expect(user.id.length).toBeGreaterThan(0);
      expect(user).toMatchObject({ username: name, displayName: "Ada", email: "ada@example.org" });
      expect(user.roles).toContain("user");
      expect(await store().users.get(user.id)).toEqual(user);
      expect(await store().users.getByUsername(name)).toEqual(user);
    });
    kit.test("users-02", "a second upsert updates name and e-mail and keeps the id", async () => {
      const name = username();
      const first = await store().users.upsertFromIdentity({ username: name, displayName: "Old" }, at());
      const second = await store().users.upsertFromIdentity({ username: name, displayName: "New", email: "n@example.org" }, at(5));
      expect(second.id).toBe(first.id);
      expect(second).toMatchObject({ displayName: "New", email: "n@example.org" });
      expect(await store().users.getByUsername(name)).toMatchObject({ id: first.id, displayName: "New" });
    });
    kit.test("users-03", "roles only grow from an identity's hint", async () => {
      const name = username();
      const admin = await store().users.upsertFromIdentity({ username: name, roles: ["admin"] }, at());
      expect([...admin.roles].sort()).toEqual(["admin", "user"]);
      const again = await store().users.upsertFromIdentity({ username: name, roles: ["user"] }, at());
      expect([...again.roles].sort()).toEqual(["admin", "user"]);
    });
    kit.test("users-04", "unknown ids and usernames give null", async () => {
      expect(await store().users.get(crypto.randomUUID())).toBeNull();
      expect(await store().users.getByUsername(username("nobody"))).toBeNull();
    });
    kit.test("users-05", "update changes roles and mayUseOwnResources; an unknown id gives NOT_FOUND", async () => {
      const user = await newUser(store());
      const updated = await store().users.update(user.id, { roles: ["user", "admin"], mayUseOwnResources: true });
      expect([...updated.roles].sort()).toEqual(["admin", "user"]);
      expect(updated.mayUseOwnResources).toBe(true);
      expect(await store().users.get(user.id)).toEqual(updated);
      await expectRejectsWith(store().users.update(crypto.randomUUID(), { mayUseOwnResources: true }), "NOT_FOUND");
    });
    kit.test("users-06", "list searches usernames and pages with a total", async () => {
      const token = randomSuffix();
      for (const i of [1, 2, 3]) await newUser(store(), `kit-${token}-${i}`);
      const first = await store().users.list({ page: 1, pageSize: 2, search: token });
      expect(first.total).toBe(3);
      expect(first.items).toHaveLength(2);
      const second = await store().users.list({ page: 2, pageSize: 2, search: token });
      expect(second.items).toHaveLength(1);
      const names = [...first.items, ...second.items].map((u) => u.username).sort();
      expect(names).toEqual([1, 2, 3].map((i) => `kit-${token}-${i}`));
    });
  });
}

/** Registers the `sessions` suite. */
export function sessionsSuite(h: StoreHarness): void {
  const { kit } = h;
  describe("sessions", () => {
    const store = h.useStore();
    const session = async (expiresAt = at(3600)): Promise<SessionRecord> => {
      const user = await newUser(store());
      const record = { tokenHash: hash(), userId: user.id, createdAt: at(), expiresAt };
      await store().sessions.create(record);
      return record;
    };
    kit.test("sessions-01", "create then get returns the same record; an unknown hash gives null", async () => {
      const record = await session();
      expect(await store().sessions.get(record.tokenHash)).toEqual(record);
      expect(await store().sessions.get(hash())).toBeNull();
    });
    kit.test("sessions-02", "touch slides the expiry", async () => {
      const record = await session();
      const later = at(7200);
      await store().sessions.touch(record.tokenHash, later);
      expect((await store().sessions.get(record.tokenHash))?.expiresAt).toEqual(later);
    });
    kit.test("sessions-03", "delete removes one session; deleting an unknown one resolves", async () => {
      const record = await session();
      await store().sessions.delete(record.tokenHash);
      expect(await store().sessions.get(record.tokenHash)).toBeNull();
      await store().sessions.delete(hash());
    });
    kit.test("sessions-04", "deleteForUser removes that user's sessions only", async () => {
      const mine = await session();
      const second = { ...mine, tokenHash: hash() };
      await store().sessions.create(second);
      const other = await session();
      await store().sessions.deleteForUser(mine.userId);
      expect(await store().sessions.get(mine.tokenHash)).toBeNull();
      expect(await store().sessions.get(second.tokenHash)).toBeNull();
      expect(await store().sessions.get(other.tokenHash)).toEqual(other);
    });
    kit.test("sessions-05", "deleteExpired removes expired sessions only and counts them", async () => {
      const expired = [await session(at(-120)), await session(at(-60))];
      const live = await session(at(3600));
      expect(await store().sessions.deleteExpired(at())).toBe(2);
      for (const e of expired) expect(await store().sessions.get(e.tokenHash)).toBeNull();
      expect(await store().sessions.get(live.tokenHash)).toEqual(live);
    });
  });
}

/** Registers the `apiTokens` suite. */
export function apiTokensSuite(h: StoreHarness): void {
  const { kit } = h;
  describe("apiTokens", () => {
    const store = h.useStore();
    const token = async (userId?: string): Promise<ApiTokenRecord> => {
      const owner = userId ?? (await newUser(store())).id;
      const record: ApiTokenRecord = { id: crypto.randomUUID(), userId: owner, name: "kit", tokenHash: hash(), scopes: ["read", "write"], createdAt: at() };
      await store().apiTokens.create(record);
      return record;
    };
    kit.test("apiTokens-01", "create then getByHash returns the record; an unknown hash gives null", async () => {
      const record = await token();
      expect(await store().apiTokens.getByHash(record.tokenHash)).toEqual(record);
      expect(await store().apiTokens.getByHash(hash())).toBeNull();
    });
    kit.test("apiTokens-02", "listForUser lists the user's tokens only", async () => {
      const a = await token();
      const a2 = await token(a.userId);
      await token();
      const ids = (await store().apiTokens.listForUser(a.userId)).map((t) => t.id).sort();
      expect(ids).toEqual([a.id, a2.id].sort());
    });
    kit.test("apiTokens-03", "delete with another user's token id gives false and keeps the token", async () => {
      const victim = await token();
      const attacker = await newUser(store());
      expect(await store().apiTokens.delete(attacker.id, victim.id)).toBe(false);
      expect(await store().apiTokens.getByHash(victim.tokenHash)).toEqual(victim);
    });
    kit.test("apiTokens-04", "delete of one's own token gives true, then false", async () => {
      const record = await token();
      expect(await store().apiTokens.delete(record.userId, record.id)).toBe(true);
      expect(await store().apiTokens.getByHash(record.tokenHash)).toBeNull();
      expect(await store().apiTokens.delete(record.userId, record.id)).toBe(false);
    });
    kit.test("apiTokens-05", "touch records the last use", async () => {
      const record = await token();
      const used = at(30);
      await store().apiTokens.touch(record.id, used);
      expect((await store().apiTokens.getByHash(record.tokenHash))?.lastUsedAt).toEqual(used);
    });
  });
}
