/** @module The errors a failed start rejects with: abort, deadline, early exit, or what a step hit. */
import type Docker from "dockerode";
import { AppError } from "@calipso/core";
import type { WorkloadSpec } from "@calipso/core";
import { PROVIDER, engineError, engineMessage, isTlsFailure, isUnreachable, redact, statusOf } from "./engine-errors.ts";
import { lastLogLines } from "./logs.ts";

/** The caller aborted: PROVIDER_ERROR (PROVIDER_TIMEOUT for a TimeoutError reason), `cause` = the reason. */
export function abortedError(spec: WorkloadSpec, reason: unknown, what: string): AppError {
  const timeout = reason instanceof Error && reason.name === "TimeoutError";
  return new AppError(timeout ? "PROVIDER_TIMEOUT" : "PROVIDER_ERROR", {
    detail: `Start of ${spec.name} was aborted by the caller; ${what}`,
    provider: PROVIDER,
    cause: reason,
    meta: { aborted: true },
  });
}

/** The error a failed start rejects with: the caller's abort, the deadline, or what the step hit. */
export function startFailure(error: unknown, spec: WorkloadSpec, step: string, engine: string, caller: AbortSignal, deadline: AbortSignal): AppError {
  if (caller.aborted && (error === caller.reason || !AppError.is(error))) {
    return abortedError(spec, caller.reason, "everything it had created was removed");
  }
  if (deadline.aborted && (error === deadline.reason || !AppError.is(error))) {
    const how = "tcp" in spec.readiness ? "TCP connect" : "http" in spec.readiness ? `HTTP GET ${spec.readiness.http}` : "log pattern";
    return new AppError("PROVIDER_TIMEOUT", {
      detail: `Workload ${spec.name} was not ready within ${spec.timeoutSec} s (step: ${step}; readiness: ${how}); the container was removed`,
      provider: PROVIDER,
      cause: error,
    });
  }
  if (AppError.is(error)) return error;
  if (statusOf(error) !== undefined || isUnreachable(error) || isTlsFailure(error)) return engineError(error, `${step} for ${spec.name}`, engine);
  const code = (error as { code?: string } | null)?.code;
  return new AppError("PROVIDER_ERROR", {
    detail: redact(`${step} for ${spec.name} failed: ${code ? `${code} ` : ""}${engineMessage(error)}`, spec.secret.value),
    provider: PROVIDER,
    cause: error,
  });
}

/** PROVIDER_ERROR for a container that exited early: exit code, OOM, last log lines (secret redacted). */
export async function exitedError(container: Docker.Container, info: Docker.ContainerInspectInfo, spec: WorkloadSpec, tailLines: number): Promise<AppError> {
  const lines = await lastLogLines(container, tailLines).catch(() => [] as string[]);
  const oom = info.State.OOMKilled ? " (killed: out of memory)" : "";
  const tail = lines.length > 0 ? `; last log lines:\n${lines.join("\n")}` : "; it wrote no log lines";
  return new AppError("PROVIDER_ERROR", {
    detail: redact(`Container ${spec.name} exited with code ${info.State.ExitCode}${oom} before it was ready${tail}`, spec.secret.value),
    provider: PROVIDER,
    meta: { exitCode: info.State.ExitCode },
  });
}
