/**
 * @module Per-request context: a request id (echoed as `X-Request-Id`, on every log line), the
 * client's address, security headers, an access log line and the metrics callback.
 */
import type { Context, MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import type { AppEnv } from "../env.ts";
import type { ResolvedOptions } from "../options.ts";

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** The route pattern that answered, or `unmatched`. */
export function answeringRoute(c: Context<AppEnv>): string {
  const routes = matchedRoutes(c);
  for (let i = routes.length - 1; i >= 0; i--) {
    const r = routes[i]!;
    if (r.method !== "ALL") return r.path;
  }
  return "unmatched";
}

/**
 * Adds the headers every response carries. They are set on the response's own headers: `c.header()`
 * after the handler has answered rebuilds the Response around its body as a stream, once per call,
 * which costs more than the rest of a small request. Responses whose headers are immutable (one
 * passed through from `fetch()`) fall back to `c.header()`.
 */
function setHeaders(c: Context<AppEnv>, requestId: string): void {
  const write = (headers: Headers) => {
    headers.set("x-request-id", requestId);
    headers.set("x-content-type-options", "nosniff");
    headers.set("referrer-policy", "no-referrer");
    if (!headers.has("cache-control")) headers.set("cache-control", "no-store");
  };
  try {
    write(c.res.headers);
  } catch {
    c.header("x-request-id", requestId);
    write(c.res.headers);
  }
}

export function requestContext(options: ResolvedOptions): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    const incoming = c.req.header("x-request-id");
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
    // With a request-id context (Node: AsyncLocalStorage + pino mixin) the id is added to every line already.
    const logger = options.runWithRequestId ? options.logger : options.logger.child({ reqId: requestId });
    c.set("requestId", requestId);
    c.set("logger", logger);
    c.set("principal", undefined);
    c.set("clientAddress", options.clientAddress?.(c));
    const serve = async () => {
      await next();
      setHeaders(c, requestId);
      const durationMs = performance.now() - started;
      const route = answeringRoute(c);
      const status = c.res.status;
      logger.info("request", { method: c.req.method, path: c.req.path, route, status, ms: Math.round(durationMs * 10) / 10 });
      options.onResponse?.({ method: c.req.method, route, status, durationMs });
    };
    if (options.runWithRequestId) await options.runWithRequestId(requestId, serve);
    else await serve();
  };
}
