/** @module Builds the `WorkloadSpec` of a launch: name, labels, identity, mounts, port and secret. */
import { AppError } from "../errors.ts";
import type { Experiment, PosixIdentity } from "../domain/experiment.ts";
import type { Template } from "../domain/template.ts";
import type { User } from "../domain/user.ts";
import type { WorkloadSpec } from "../ports/compute.ts";
import type { Ctx } from "./context.ts";
import { resolveMounts } from "./mounts.ts";

/** Labels Calipso puts on every workload. */
export const LABELS = {
  instance: "calipso.instance",
  owner: "calipso.owner",
  template: "calipso.template",
  deployment: "calipso.deployment",
} as const;

/** The DNS-1123 name of an instance's workload. */
export function workloadName(instanceId: string): string {
  const name = `calipso-${instanceId.toLowerCase().replace(/[^a-z0-9-]/g, "-")}`.slice(0, 63).replace(/-+$/, "");
  return name;
}

/** The POSIX identity of a launch; root only when the template allows it. */
export function posixFor(ctx: Ctx, template: Template, experiment: Experiment | undefined): PosixIdentity {
  const posix = experiment?.posix ?? ctx.deps.defaultPosix ?? { uid: 1000, gid: 1000 };
  if ((posix.uid === 0 || posix.gid === 0) && !template.allowRoot) {
    throw new AppError("FORBIDDEN", { detail: `Template ${template.name} may not run as root (uid/gid 0); the facility must configure a non-root identity` });
  }
  return { uid: posix.uid, gid: posix.gid };
}

export interface SpecRequest {
  readonly instanceId: string;
  readonly template: Template;
  readonly user: User;
  readonly experiment?: Experiment;
  readonly sessionId?: string;
  readonly secret: string;
}

export function buildWorkloadSpec(ctx: Ctx, r: SpecRequest): WorkloadSpec {
  const { template } = r;
  const mounts = resolveMounts({
    config: ctx.deps.mounts,
    username: r.user.username,
    ...(r.experiment ? { experiment: r.experiment } : {}),
    ...(r.sessionId !== undefined ? { sessionId: r.sessionId } : {}),
  });
  const env: Record<string, string> = { ...(template.env ?? {}), CALIPSO_INSTANCE_ID: r.instanceId, CALIPSO_USERNAME: r.user.username };
  if (r.experiment) env["CALIPSO_PROPOSAL_ID"] = r.experiment.proposalId;
  if (r.sessionId !== undefined) env["CALIPSO_SESSION_ID"] = r.sessionId;
  return {
    name: workloadName(r.instanceId),
    image: template.image,
    ...(template.command ? { command: [...template.command] } : {}),
    env,
    resources: { ...template.resources },
    user: posixFor(ctx, template, r.experiment),
    allowRoot: template.allowRoot,
    capabilities: [...template.capabilities],
    mounts,
    port: { container: template.port, protocol: template.protocol },
    readiness: template.readiness,
    timeoutSec: template.timeoutSec,
    labels: {
      [LABELS.instance]: r.instanceId,
      [LABELS.owner]: r.user.id,
      [LABELS.template]: template.name,
      [LABELS.deployment]: ctx.deploymentId,
    },
    secret: { value: r.secret, ...template.secret },
  };
}
