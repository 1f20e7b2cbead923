import { describe, expect, it } from "vitest";
import { AppError, ERROR_CODES, errorSpec, isAppError, isErrorCode, toAppError, toProblem } from "./errors.ts";
import type { ErrorCode } from "./errors.ts";

const CODES = Object.keys(ERROR_CODES) as ErrorCode[];

describe("error catalogue", () => {
  it.each(CODES)("%s has an HTTP error status, a title and a retry flag", (code) => {
    const spec = errorSpec(code);
    expect(spec.status).toBeGreaterThanOrEqual(400);
    expect(spec.status).toBeLessThan(600);
    expect(spec.title.length).toBeGreaterThan(3);
    expect(typeof spec.retryable).toBe("boolean");
    const e = new AppError(code, { detail: "d" });
    expect(e.status).toBe(spec.status);
    expect(e.retryable).toBe(spec.retryable);
    expect(isAppError(e, code)).toBe(true);
  });

  it("maps the codes the API relies on to their statuses", () => {
    expect(ERROR_CODES.VALIDATION_FAILED.status).toBe(422);
    expect(ERROR_CODES.UNAUTHENTICATED.status).toBe(401);
    expect(ERROR_CODES.FORBIDDEN.status).toBe(403);
    expect(ERROR_CODES.NOT_FOUND.status).toBe(404);
    expect(ERROR_CODES.QUOTA_EXCEEDED.status).toBe(409);
    expect(ERROR_CODES.PROVIDER_UNAVAILABLE.retryable).toBe(true);
    expect(ERROR_CODES.INTERNAL.retryable).toBe(false);
  });

  it("recognises codes and AppErrors, also from another copy of the package", () => {
    expect(isErrorCode("NOT_FOUND")).toBe(true);
    expect(isErrorCode("NOPE")).toBe(false);
    expect(isErrorCode("toString")).toBe(false);
    const foreign = Object.assign(new Error("x"), { name: "AppError", code: "FORBIDDEN" });
    expect(AppError.is(foreign)).toBe(true);
    expect(AppError.is(foreign, "NOT_FOUND")).toBe(false);
    expect(AppError.is(Object.assign(new Error("x"), { name: "AppError", code: "BOGUS" }))).toBe(false);
    expect(AppError.is({ name: "AppError", code: "FORBIDDEN" })).toBe(false);
  });

  it("wraps unknown errors, keeps AppErrors and turns timeouts into PROVIDER_TIMEOUT", () => {
    const app = new AppError("CONFLICT");
    expect(toAppError(app)).toBe(app);
    const wrapped = toAppError(new Error("secret db password in message"), "PROVIDER_ERROR", { provider: "x" });
    expect(wrapped.code).toBe("PROVIDER_ERROR");
    expect(wrapped.provider).toBe("x");
    expect(wrapped.cause).toBeInstanceOf(Error);
    const timeout = Object.assign(new Error("t"), { name: "TimeoutError" });
    expect(toAppError(timeout).code).toBe("PROVIDER_TIMEOUT");
  });

  it("renders problems without leaking unknown error messages", () => {
    const p = toProblem(new AppError("VALIDATION_FAILED", { detail: "bad", meta: { issues: [{ path: "a", message: "m" }] } }), { instance: "/x" });
    expect(p).toMatchObject({ status: 422, code: "VALIDATION_FAILED", title: "Request validation failed", detail: "bad", instance: "/x", retryable: false });
    expect(p.type).toMatch(/validation_failed$/);
    expect(p["issues"]).toEqual([{ path: "a", message: "m" }]);
    const hidden = toProblem(new Error("stack and secrets"));
    expect(hidden).toMatchObject({ status: 500, code: "INTERNAL" });
    expect(JSON.stringify(hidden)).not.toContain("secrets");
  });

  it("uses the detail as message, and the title when there is none", () => {
    expect(new AppError("NOT_FOUND", { detail: "No instance x" }).message).toBe("No instance x");
    expect(new AppError("NOT_FOUND").message).toBe("Resource not found");
    expect(new AppError("NOT_FOUND").name).toBe("AppError");
  });
});
