/**
 * @module The one error class of Calipso and its code catalogue.
 *
 * Every failure that crosses a package boundary is an `AppError` whose `code` is a key of
 * {@link ERROR_CODES}. The catalogue is the single source of truth for the HTTP status, the
 * human title and whether a retry can help. `message` is for logs; `detail` is safe to show
 * to the caller (never a secret, never a stack trace).
 */

/** What the catalogue says about one error code. */
export interface ErrorSpec {
  readonly status: number;
  readonly title: string;
  readonly retryable: boolean;
}

/** The error code catalogue: code → HTTP status, title, retryable. */
export const ERROR_CODES = {
  VALIDATION_FAILED: { status: 422, title: "Request validation failed", retryable: false },
  UNAUTHENTICATED: { status: 401, title: "Authentication required", retryable: false },
  FORBIDDEN: { status: 403, title: "Not allowed", retryable: false },
  NOT_FOUND: { status: 404, title: "Resource not found", retryable: false },
  CONFLICT: { status: 409, title: "Conflicts with the current state", retryable: false },
  QUOTA_EXCEEDED: { status: 409, title: "Quota exceeded", retryable: false },
  RATE_LIMITED: { status: 429, title: "Too many requests", retryable: true },
  UNSUPPORTED: { status: 501, title: "Not supported by this provider", retryable: false },
  PROVIDER_ERROR: { status: 502, title: "Provider returned an error", retryable: false },
  PROVIDER_UNAVAILABLE: { status: 503, title: "Provider unavailable", retryable: true },
  PROVIDER_TIMEOUT: { status: 504, title: "Provider timed out", retryable: true },
  INVALID_CONFIG: { status: 500, title: "Invalid configuration", retryable: false },
  INTERNAL: { status: 500, title: "Internal error", retryable: false },
} as const satisfies Record<string, ErrorSpec>;

/** One of the catalogue's codes. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** Options of an {@link AppError}. */
export interface AppErrorOptions {
  /** Log message (defaults to the catalogue title). Never shown to clients. */
  readonly message?: string;
  /** Client-safe explanation: what went wrong and, where possible, what to do. */
  readonly detail?: string;
  /** Name of the provider that raised or caused the error. */
  readonly provider?: string;
  /** Structured, client-safe extra data (e.g. validation issues, the quota that was hit). */
  readonly meta?: Readonly<Record<string, unknown>>;
  /** The underlying error, kept for logs. */
  readonly cause?: unknown;
}

/** The spec of a code, widened so every field is readable. */
export function errorSpec(code: ErrorCode): ErrorSpec {
  return ERROR_CODES[code];
}

/** Whether a string is a code of the catalogue. */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === "string" && Object.hasOwn(ERROR_CODES, code);
}

/**
 * The error thrown everywhere in Calipso.
 *
 * @example
 * throw new AppError("NOT_FOUND", { detail: `No instance ${id}` });
 */
export class AppError extends Error {
  override readonly name = "AppError";
  readonly code: ErrorCode;
  readonly detail: string | undefined;
  readonly provider: string | undefined;
  readonly meta: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, options: AppErrorOptions = {}) {
    super(options.message ?? options.detail ?? ERROR_CODES[code].title, { cause: options.cause });
    this.code = code;
    this.detail = options.detail;
    this.provider = options.provider;
    this.meta = options.meta;
  }

  /** HTTP status of this error's code. */
  get status(): number {
    return ERROR_CODES[this.code].status;
  }

  /** Whether retrying the same call later may succeed. */
  get retryable(): boolean {
    return ERROR_CODES[this.code].retryable;
  }

  /**
   * Duck-typed guard: true for any `AppError`, also one created by another copy of this package.
   */
  static is(error: unknown, code?: ErrorCode): error is AppError {
    if (!(error instanceof Error) || error.name !== "AppError") return false;
    const c = (error as { code?: unknown }).code;
    return isErrorCode(c) && (code === undefined || c === code);
  }
}

/** Duck-typed guard for {@link AppError}, optionally of one code. */
export function isAppError(error: unknown, code?: ErrorCode): error is AppError {
  return AppError.is(error, code);
}

/**
 * Turns any thrown value into an `AppError`: an `AppError` is returned as is, an abort becomes
 * `PROVIDER_TIMEOUT` when it was a timeout, anything else becomes `fallback` (default `INTERNAL`)
 * with the original kept as `cause`.
 */
export function toAppError(error: unknown, fallback: ErrorCode = "INTERNAL", options: AppErrorOptions = {}): AppError {
  if (AppError.is(error)) return error;
  if (error instanceof Error && error.name === "TimeoutError") {
    return new AppError("PROVIDER_TIMEOUT", { ...options, cause: error });
  }
  return new AppError(fallback, { ...options, cause: error });
}

/** RFC 9457 problem details as Calipso renders them. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly code: ErrorCode;
  readonly detail?: string;
  readonly instance?: string;
  readonly retryable: boolean;
  readonly [extension: string]: unknown;
}

/**
 * Renders an error as an RFC 9457 problem object. Unknown errors are hidden behind `INTERNAL`:
 * their message never reaches the client.
 */
export function toProblem(error: unknown, options: { typeBase?: string; instance?: string } = {}): Problem {
  const e = AppError.is(error) ? error : new AppError("INTERNAL", { cause: error });
  const spec = ERROR_CODES[e.code];
  const base = options.typeBase ?? "https://calipso.dev/docs/errors#";
  return {
    type: `${base}${e.code.toLowerCase()}`,
    title: spec.title,
    status: spec.status,
    code: e.code,
    retryable: spec.retryable,
    ...(e.detail !== undefined ? { detail: e.detail } : {}),
    ...(options.instance !== undefined ? { instance: options.instance } : {}),
    ...(e.meta ?? {}),
  };
}
