import { describe, expect, it } from "vitest";
import { AppError } from "../errors.ts";
import type { Calipso } from "../calipso-types.ts";
import type { User } from "../domain/user.ts";
import { createTestCalipso } from "../testing/fixture.ts";

const GARBAGE: unknown[] = [undefined, null, 0, -1, Number.NaN, "", "x".repeat(100_000), "../../etc", "%2e%2e", "\u0000", [], [null], {}, { __proto__: { admin: true } }, true];

/** Every use case with one argument replaced by garbage. */
function calls(c: Calipso, actor: User, id: string, g: unknown): [string, () => Promise<unknown>][] {
  const G = g as never;
  return [
    ["login", () => c.login(G)],
    ["login.password", () => c.login({ method: "password", username: G, password: G })],
    ["login.federated", () => c.login({ method: "federated", attributes: G })],
    ["startRedirectLogin", () => c.startRedirectLogin(G)],
    ["finishRedirectLogin", () => c.finishRedirectLogin(G)],
    ["authenticate", () => c.authenticate(G)],
    ["authenticateApiToken", () => c.authenticateApiToken(G)],
    ["createApiToken", () => c.createApiToken(actor, G)],
    ["revokeApiToken", () => c.revokeApiToken(actor, G)],
    ["listExperiments", () => c.listExperiments(actor, G)],
    ["setFavourite.id", () => c.setFavourite(actor, G, true)],
    ["setFavourite.flag", () => c.setFavourite(actor, id, G)],
    ["launch", () => c.launch(actor, G)],
    ["launch.template", () => c.launch(actor, { template: G })],
    ["launch.experiment", () => c.launch(actor, { template: "desk", experimentId: G })],
    ["getInstance", () => c.getInstance(actor, G)],
    ["listInstances", () => c.listInstances(actor, G)],
    ["terminate", () => c.terminate(actor, G)],
    ["access", () => c.access(actor, G)],
    ["access.options", () => c.access(actor, id, G)],
    ["events", async () => {
      for await (const _ of c.events(actor, G)) return;
    }],
    ["events.options", async () => {
      const controller = new AbortController();
      controller.abort();
      for await (const _ of c.events(actor, id, (g === undefined ? { signal: controller.signal } : G))) return;
    }],
    ["admin.listUsers", () => c.admin.listUsers(actor, G)],
    ["admin.setRoles", () => c.admin.setRoles(actor, G, G)],
    ["admin.setMayUseOwnResources", () => c.admin.setMayUseOwnResources(actor, actor.id, G)],
    ["admin.getQuota", () => c.admin.getQuota(actor, G)],
    ["admin.setQuota", () => c.admin.setQuota(actor, actor.id, G)],
    ["admin.putTemplate", () => c.admin.putTemplate(actor, G)],
    ["admin.deleteTemplate", () => c.admin.deleteTemplate(actor, G)],
    ["admin.listAudit", () => c.admin.listAudit(actor, G)],
  ];
}

describe("bad input everywhere", () => {
  it("is refused with an AppError of the catalogue, never a crash, and leaves no partial state", async () => {
    const t = await createTestCalipso();
    const root = await t.login("root");
    const alice = await t.login("alice");
    const running = await t.calipso.launch(alice, { template: "desk", experimentId: await t.experimentId("P1") });
    await t.calipso.idle();
    const before = { ...t.store.counts(), audit: 0 };
    let refused = 0;
    for (const g of GARBAGE) {
      for (const [name, call] of calls(t.calipso, root, running.id, g)) {
        let error: unknown;
        try {
          await call();
        } catch (e) {
          error = e;
        }
        if (error === undefined) continue; // some garbage is a valid "nothing" (e.g. an absent query)
        refused++;
        expect(AppError.is(error), `${name}(${String(g).slice(0, 20)}) threw ${String(error)}`).toBe(true);
        expect((error as AppError).code).not.toBe("INTERNAL");
      }
    }
    expect(refused).toBeGreaterThan(300);
    await t.calipso.idle();
    expect({ ...t.store.counts(), audit: 0 }).toEqual(before);
    expect((await t.calipso.getInstance(alice, running.id)).state).toBe("running");
  });
});
