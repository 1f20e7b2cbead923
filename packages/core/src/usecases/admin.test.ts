import { describe, expect, it } from "vitest";
import { AppError } from "../errors.ts";
import type { ErrorCode } from "../errors.ts";
import { createTestCalipso } from "../testing/fixture.ts";

const is = (code: ErrorCode) => (e: unknown) => AppError.is(e, code);
const LIMITS = { instances: 50, cpu: 64, memoryMiB: 65_536, storageGiB: 500 };

describe("admin", () => {
  it("refuses a quota override set by a non-admin, audits the attempt and changes nothing (seed hole S4)", async () => {
    const t = await createTestCalipso();
    const alice = await t.login("alice");
    await expect(t.calipso.admin.setQuota(alice, alice.id, LIMITS)).rejects.toSatisfy(is("FORBIDDEN"));
    expect(await t.store.quotas.get(alice.id)).toBeNull();
    expect((await t.calipso.quota(alice)).overridden).toBe(false);
    const audit = await t.store.audit.list({ page: 1, pageSize: 10, actor: alice.id });
    expect(audit.items.find((e) => e.action === "quota.set")).toMatchObject({ outcome: "failure" });
  });

  it("refuses every admin operation to non-admins", async () => {
    const t = await createTestCalipso();
    const alice = await t.login("alice");
    const a = t.calipso.admin;
    const calls = [
      () => a.listUsers(alice),
      () => a.setRoles(alice, alice.id, ["admin"]),
      () => a.setMayUseOwnResources(alice, alice.id, true),
      () => a.getQuota(alice, alice.id),
      () => a.putTemplate(alice, { name: "evil", title: "x", kind: "desktop", image: "evil:latest", resources: { cpu: 1, memoryMiB: 1 } }),
      () => a.deleteTemplate(alice, "desk"),
      () => a.listAudit(alice),
    ];
    for (const call of calls) await expect(call()).rejects.toSatisfy(is("FORBIDDEN"));
    expect((await t.store.users.get(alice.id))!.roles).toEqual(["user"]);
    expect(await t.store.templates.get("evil")).toBeNull();
    expect(await t.store.templates.get("desk")).not.toBeNull();
  });

  it("lets admins manage users, quotas and templates, with an audit event for each change", async () => {
    const t = await createTestCalipso();
    const [alice, root] = [await t.login("alice"), await t.login("root")];
    expect((await t.calipso.admin.listUsers(root, { search: "ali" })).items.map((u) => u.username)).toEqual(["alice"]);
    expect((await t.calipso.admin.setRoles(root, alice.id, ["admin"])).roles).toEqual(["user", "admin"]);
    expect((await t.calipso.admin.setMayUseOwnResources(root, alice.id, true)).mayUseOwnResources).toBe(true);
    expect(await t.calipso.admin.setQuota(root, alice.id, LIMITS)).toMatchObject({ limits: LIMITS, overridden: true });
    expect(await t.calipso.admin.getQuota(root, alice.id)).toMatchObject({ limits: LIMITS, overridden: true });
    expect(await t.calipso.admin.setQuota(root, alice.id, null)).toMatchObject({ overridden: false, limits: t.deps.quota });
    const template = await t.calipso.admin.putTemplate(root, { name: "new", title: "New", kind: "web", image: "n:1", resources: { cpu: 1, memoryMiB: 256 } });
    expect(template).toMatchObject({ backend: "default", timeoutSec: 120, allowRoot: false });
    await t.calipso.admin.deleteTemplate(root, "new");
    const actions = (await t.calipso.admin.listAudit(root, { actor: root.id })).items.map((e) => e.action);
    expect(actions).toEqual(["template.delete", "template.create", "quota.set", "quota.set", "user.own-resources", "user.roles", "user.login"]);
  });

  it("answers NOT_FOUND for unknown users and templates, VALIDATION_FAILED for bad input", async () => {
    const t = await createTestCalipso();
    const root = await t.login("root");
    const a = t.calipso.admin;
    await expect(a.getQuota(root, "nobody")).rejects.toSatisfy(is("NOT_FOUND"));
    await expect(a.setRoles(root, "nobody", ["user"])).rejects.toSatisfy(is("NOT_FOUND"));
    await expect(a.setQuota(root, "nobody", LIMITS)).rejects.toSatisfy(is("NOT_FOUND"));
    await expect(a.deleteTemplate(root, "nope")).rejects.toSatisfy(is("NOT_FOUND"));
    await expect(a.setRoles(root, root.id, ["superuser" as never])).rejects.toSatisfy(is("VALIDATION_FAILED"));
    await expect(a.setQuota(root, root.id, { ...LIMITS, cpu: -1 })).rejects.toSatisfy(is("VALIDATION_FAILED"));
    await expect(a.setQuota(root, root.id, { instances: 1 } as never)).rejects.toSatisfy(is("VALIDATION_FAILED"));
    await expect(a.putTemplate(root, { name: "Bad Name", title: "x", kind: "desktop", image: "i", resources: { cpu: 1, memoryMiB: 1 } })).rejects.toSatisfy(is("VALIDATION_FAILED"));
    await expect(a.putTemplate(root, { name: "nobackend", title: "x", kind: "desktop", backend: "gpu", image: "i", resources: { cpu: 1, memoryMiB: 1 } })).rejects.toSatisfy(is("VALIDATION_FAILED"));
    await expect(a.putTemplate(root, { name: "noimage", title: "x", kind: "desktop", resources: { cpu: 1, memoryMiB: 1 } })).rejects.toSatisfy(is("VALIDATION_FAILED"));
    await expect(a.listUsers(root, { pageSize: 0 })).rejects.toSatisfy(is("VALIDATION_FAILED"));
  });

  it("does not let an admin remove their own admin role", async () => {
    const t = await createTestCalipso();
    const root = await t.login("root");
    await expect(t.calipso.admin.setRoles(root, root.id, ["user"])).rejects.toSatisfy(is("CONFLICT"));
  });
});

describe("init and configuration", () => {
  it("refuses templates naming an unconfigured backend, and bad mount roots", async () => {
    await expect(createTestCalipso({ templates: [{ name: "x", title: "x", kind: "desktop", backend: "gpu", image: "i", resources: { cpu: 1, memoryMiB: 1 } }] })).rejects.toSatisfy(is("INVALID_CONFIG"));
    await expect(createTestCalipso({ templates: [{ name: "Bad", title: "x", kind: "desktop", image: "i", resources: { cpu: 1, memoryMiB: 1 } }] })).rejects.toSatisfy(is("INVALID_CONFIG"));
    await expect(createTestCalipso({ mounts: { dataRoot: "data", outputRoot: "/o" } })).rejects.toSatisfy(is("INVALID_CONFIG"));
  });
});
