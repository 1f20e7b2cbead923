/**
 * @module The reconciler: compares the store with every compute backend (`list` by the
 * deployment label) and the desktop gateway. Workloads and registrations that no active instance
 * claims are removed; running instances whose workload is gone or failed are marked failed.
 */
import type { ReconcileReport } from "../calipso-types.ts";
import { ACTIVE_STATES } from "../domain/instance.ts";
import type { Instance } from "../domain/instance.ts";
import { audit, reasonOf } from "./context.ts";
import type { Ctx } from "./context.ts";
import { failInstance, releaseDesktop, stopCompute, teardown } from "./instances.ts";
import { withLease } from "./leases.ts";
import { LABELS } from "./workload.ts";

/** Extra time before a start without a process is declared interrupted. */
const STUCK_MARGIN_MS = 60_000;

/** Every active instance, page by page. */
export async function activeInstances(ctx: Ctx): Promise<Instance[]> {
  const out: Instance[] = [];
  for (let page = 1; ; page++) {
    const p = await ctx.deps.store.instances.list({ states: ACTIVE_STATES, page, pageSize: 500 });
    out.push(...p.items);
    if (p.items.length === 0 || out.length >= p.total) return out;
  }
}

async function pass(ctx: Ctx): Promise<ReconcileReport> {
  let removedWorkloads = 0;
  let failedInstances = 0;
  let releasedDesktops = 0;
  const active = new Map((await activeInstances(ctx)).map((i) => [i.id, i]));

  for (const [name, backend] of Object.entries(ctx.deps.compute)) {
    let listed;
    try {
      listed = await backend.list({ [LABELS.deployment]: ctx.deploymentId });
    } catch (error) {
      ctx.logger.warn("reconcile: compute list failed", { backend: name, error: reasonOf(error) });
      continue;
    }
    for (const workload of listed) {
      const owner = active.get(workload.labels[LABELS.instance] ?? "");
      if (owner) continue;
      if (await stopCompute(ctx, { ...workload.handle, backend: name })) {
        removedWorkloads++;
        await audit(ctx, { actor: "system", action: "workload.remove", target: `workload:${name}/${workload.handle.id}`, outcome: "success", detail: { instance: workload.labels[LABELS.instance] ?? null } });
      }
    }
  }

  for (const instance of active.values()) {
    if (instance.state === "terminating" && !ctx.tasks.teardowns.has(instance.id) && !ctx.tasks.starts.has(instance.id)) {
      // A termination that a stopped process left half-done.
      await teardown(ctx, instance.id);
      continue;
    }
    if ((instance.state === "pending" || instance.state === "starting") && !ctx.tasks.starts.has(instance.id)) {
      // A start that no process can still be running (any start gives up after its timeout plus grace): its process died.
      const template = await ctx.deps.store.templates.get(instance.template);
      const limitMs = (template?.timeoutSec ?? 3600) * 1000 + ctx.abortGraceMs + STUCK_MARGIN_MS;
      if (ctx.now().getTime() - instance.createdAt.getTime() > limitMs && (await failInstance(ctx, instance.id, "The start was interrupted (Calipso restarted)", [instance.state]))) {
        failedInstances++;
        active.delete(instance.id);
        if (instance.desktop && (await releaseDesktop(ctx, instance.desktop))) releasedDesktops++;
        if (instance.compute) await stopCompute(ctx, instance.compute);
      }
      continue;
    }
    if (instance.state !== "running" || !instance.compute) continue;
    const backend = Object.hasOwn(ctx.deps.compute, instance.compute.backend) ? ctx.deps.compute[instance.compute.backend] : undefined;
    if (!backend) continue;
    let reason: string | undefined;
    try {
      const status = await backend.status(instance.compute);
      if (status.state === "failed") reason = `The environment failed: ${status.reason}`;
      else if (status.state === "stopped") reason = status.exitCode === undefined ? "The environment stopped or disappeared" : `The environment exited with code ${status.exitCode}`;
    } catch (error) {
      ctx.logger.warn("reconcile: status failed", { instance: instance.id, error: reasonOf(error) });
      continue;
    }
    if (!reason) continue;
    if (await failInstance(ctx, instance.id, reason, ["running"])) {
      failedInstances++;
      active.delete(instance.id);
      if (instance.desktop && (await releaseDesktop(ctx, instance.desktop))) releasedDesktops++;
      await stopCompute(ctx, instance.compute);
    }
  }

  const desktop = ctx.deps.desktop;
  if (desktop?.list) {
    try {
      for (const registration of await desktop.list()) {
        if (active.has(registration.instanceId)) continue;
        if (await releaseDesktop(ctx, registration.handle)) {
          releasedDesktops++;
          await audit(ctx, { actor: "system", action: "desktop.release", target: `desktop:${registration.handle.id}`, outcome: "success", detail: { instance: registration.instanceId } });
        }
      }
    } catch (error) {
      ctx.logger.warn("reconcile: desktop list failed", { error: reasonOf(error) });
    }
  }
  return { removedWorkloads, failedInstances, releasedDesktops };
}

export async function reconcile(ctx: Ctx, options: { holder?: string } = {}): Promise<ReconcileReport> {
  const report = await withLease(ctx, "reconcile", options.holder ?? ctx.holder, () => pass(ctx));
  return report ?? { removedWorkloads: 0, failedInstances: 0, releasedDesktops: 0, skipped: "Another replica holds the reconcile lease" };
}
