/** @module pino JSON logs, adapted to core's `Logger` port (message first, fields second). */
import { AsyncLocalStorage } from "node:async_hooks";
import { pino } from "pino";
import type { Logger as PinoLogger } from "pino";
import type { Logger } from "@calipso/core";

/** Keys whose values never reach a log line. */
const REDACT = ["password", "secret", "token", "secretKey", "authorization", "cookie", "*.password", "*.secret", "*.token", "*.authorization", "*.cookie"];

/** Wraps a pino logger as a core `Logger`. */
export function fromPino(p: PinoLogger): Logger {
  const call = (level: "debug" | "info" | "warn" | "error") => (message: string, fields?: Record<string, unknown>) => (fields ? p[level](fields, message) : p[level](message));
  return {
    debug: call("debug"),
    info: call("info"),
    warn: call("warn"),
    error: call("error"),
    child: (bindings) => fromPino(p.child(bindings)),
  };
}

/** The id of the request being served, for every log line written while serving it. */
const requestIds = new AsyncLocalStorage<string>();

/** Runs `fn` with `requestId` attached to every log line it (and whatever it starts) writes. */
export function runWithRequestId<T>(requestId: string, fn: () => Promise<T>): Promise<T> {
  return requestIds.run(requestId, fn);
}

/** A JSON logger on stdout (or `destination`), with secrets redacted and the current request id on every line. */
export function createLogger(level: string, destination?: NodeJS.WritableStream): { logger: Logger; pino: PinoLogger } {
  const p = pino(
    {
      level,
      base: { service: "calipso", pid: process.pid },
      redact: { paths: REDACT, censor: "[redacted]" },
      mixin: () => {
        const reqId = requestIds.getStore();
        return reqId ? { reqId } : {};
      },
    },
    (destination ?? pino.destination({ sync: false })) as never,
  );
  return { logger: fromPino(p), pino: p };
}
