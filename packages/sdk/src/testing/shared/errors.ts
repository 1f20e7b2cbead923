/** @module Assertions on errors: catalogue codes only, the expected code, nothing secret in the message. */
import { expect } from "vitest";
import { isAppError, isErrorCode } from "@calipso/core";
import type { AppError, ErrorCode } from "@calipso/core";

/** The rejection of `promise`; fails the test when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  expect.fail("expected the call to reject, but it resolved");
}

/** Asserts that `error` is an `AppError` with a catalogue code (and `code`, when given). */
export function expectAppError(error: unknown, code?: ErrorCode): asserts error is AppError {
  expect(isAppError(error), `expected an AppError with a catalogue code, got ${describeError(error)}`).toBe(true);
  const e = error as AppError;
  expect(isErrorCode(e.code)).toBe(true);
  if (code !== undefined) expect(e.code, `expected ${code}, got ${e.code}: ${e.detail ?? e.message}`).toBe(code);
}

/** Awaits `promise` and asserts that it rejects with an `AppError` of `code`. */
export async function expectRejectsWith(promise: Promise<unknown>, code: ErrorCode): Promise<AppError> {
  const error = await rejection(promise);
  expectAppError(error, code);
  return error;
}

/** Asserts that a settled call either resolved or rejected with a catalogue `AppError`. */
export async function expectCatalogueOutcome<T>(promise: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: AppError }> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    expectAppError(error);
    return { ok: false, error };
  }
}

/** Text of an error for assertion messages. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/** Every string an error exposes (message, detail, meta), for "no secret inside" checks. */
export function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const e = error as Partial<AppError>;
  return [error.message, e.detail ?? "", JSON.stringify(e.meta ?? {})].join("\n");
}
