/** @module Kubernetes API failures → Calipso's error catalogue, with messages that say what to fix. */
import { AppError, isAppError } from "@calipso/core";

interface KubeStatusBody {
  message?: string;
  reason?: string;
  code?: number;
}

function statusOf(error: unknown): { code: number | undefined; body: KubeStatusBody } {
  const e = error as { code?: unknown; statusCode?: unknown; body?: unknown };
  const code = typeof e?.code === "number" ? e.code : typeof e?.statusCode === "number" ? e.statusCode : undefined;
  let body: KubeStatusBody = {};
  if (typeof e?.body === "string") {
    try {
      body = JSON.parse(e.body) as KubeStatusBody;
    } catch {
      body = { message: e.body };
    }
  } else if (e?.body && typeof e.body === "object") body = e.body as KubeStatusBody;
  return { code, body };
}

const NETWORK = new Set(["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EHOSTUNREACH", "ETIMEDOUT", "EPIPE", "EAI_AGAIN"]);

/** Whether the API answered 404 for the object. */
export function isNotFound(error: unknown): boolean {
  return statusOf(error).code === 404;
}

/**
 * Maps a client-node error for `action` (e.g. `create pods`) in `namespace`.
 * 403 RBAC names the missing permission; 403 quota → QUOTA_EXCEEDED; unreachable → PROVIDER_UNAVAILABLE.
 */
export function mapKubeError(error: unknown, action: string, namespace: string): AppError {
  if (isAppError(error)) return error;
  const { code, body } = statusOf(error);
  const message = body.message ?? "";
  const base = { provider: "kubernetes", cause: error } as const;
  if (code === 403 && /exceeded quota/i.test(message)) {
    return new AppError("QUOTA_EXCEEDED", { ...base, detail: `The namespace "${namespace}" has no room for this workload: ${message}` });
  }
  if (code === 403) {
    const [verb, resource] = action.split(" ");
    return new AppError("PROVIDER_ERROR", {
      ...base,
      detail: `The service account may not ${verb} ${resource} in namespace "${namespace}": grant the verb "${verb}" on "${resource}" in its Role (see examples/kubernetes/rbac.yaml)`,
      meta: { missingPermission: { verb, resource, namespace } },
    });
  }
  if (code === 401) return new AppError("PROVIDER_UNAVAILABLE", { ...base, detail: "The Kubernetes API refused the credentials (401): check the token or kubeconfig" });
  if (code === 404) return new AppError("NOT_FOUND", { ...base, detail: `Kubernetes ${action}: ${message || "not found"}` });
  if (code === 409) return new AppError("CONFLICT", { ...base, detail: `Kubernetes ${action}: ${message || "already exists"}` });
  if (code === 422) return new AppError("PROVIDER_ERROR", { ...base, detail: `Kubernetes rejected the ${action.split(" ")[1]} as invalid: ${message}` });
  if (code === 429 || code === 503 || code === 504) return new AppError("PROVIDER_UNAVAILABLE", { ...base, detail: `The Kubernetes API is overloaded or unavailable (${code})` });
  const errno = (error as { code?: unknown; cause?: { code?: unknown } })?.cause?.code ?? (error as { code?: unknown })?.code;
  if ((typeof errno === "string" && NETWORK.has(errno)) || (error instanceof Error && /ECONNREFUSED|socket hang up|network|fetch failed/i.test(error.message))) {
    return new AppError("PROVIDER_UNAVAILABLE", { ...base, detail: `The Kubernetes API could not be reached for ${action}` });
  }
  if (error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError")) {
    return new AppError("PROVIDER_TIMEOUT", { ...base, detail: `The Kubernetes API did not answer ${action} in time` });
  }
  return new AppError("PROVIDER_ERROR", { ...base, detail: `Kubernetes ${action} failed${code ? ` (${code})` : ""}: ${message || "unexpected error"}` });
}
