/**
 * @module The HTTP client of `facility-http`: every call through `ctx.fetch` with a total timeout,
 * an optional connect timeout and custom CA (undici dispatcher), bounded retries with backoff for
 * GETs only, a response size cap and error mapping to Calipso's codes. Never logs credentials.
 */
import { AppError } from "@calipso/core";
import type { Logger, ProviderContext } from "@calipso/core";
import { Agent } from "undici";
import { readBounded } from "./body.ts";
import type { HttpSettings } from "./config.ts";

/** One request of the client. */
export interface HttpRequest {
  readonly method: "GET" | "POST";
  readonly url: string;
  /** Sent as JSON. */
  readonly json?: unknown;
  /** HTTP Basic credentials. */
  readonly basic?: { readonly username: string; readonly password: string };
  readonly signal?: AbortSignal;
  /** A short name of the call for logs and error details (e.g. "login"). */
  readonly call: string;
}

/** A response: status and the parsed JSON body (`undefined` for an empty body). */
export interface HttpResponse {
  readonly status: number;
  readonly body: unknown;
}

/** The client. */
export interface HttpClient {
  request(request: HttpRequest): Promise<HttpResponse>;
  close(): Promise<void>;
}

const RETRY_STATUS = new Set([502, 503, 504]);

function basicHeader(basic: { username: string; password: string }): string {
  const bytes = new TextEncoder().encode(`${basic.username}:${basic.password}`);
  return `Basic ${btoa(String.fromCharCode(...bytes))}`;
}

/** Host and path of a URL without query or user info, for logs. */
function redact(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return "<invalid url>";
  }
}

function networkCode(error: unknown): string | undefined {
  let e: unknown = error;
  for (let i = 0; i < 4 && e && typeof e === "object"; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Maps a thrown fetch/body error to an AppError. */
function mapError(error: unknown, call: string, provider: string, timeoutMs: number, callerSignal?: AbortSignal): AppError {
  if (AppError.is(error)) return error;
  const name = error instanceof Error || (typeof DOMException !== "undefined" && error instanceof DOMException) ? (error as Error).name : "";
  if (name === "TimeoutError") {
    return new AppError("PROVIDER_TIMEOUT", { provider, detail: `The user office did not answer the ${call} call within ${timeoutMs} ms`, cause: error });
  }
  if (name === "AbortError" || callerSignal?.aborted) {
    return new AppError("PROVIDER_UNAVAILABLE", { provider, detail: `The ${call} call was cancelled`, cause: error });
  }
  const code = networkCode(error);
  if (code === "UND_ERR_CONNECT_TIMEOUT") {
    return new AppError("PROVIDER_TIMEOUT", { provider, detail: `Could not connect to the user office for the ${call} call in time`, cause: error });
  }
  const what =
    code === "ECONNREFUSED"
      ? "refused the connection"
      : code === "ENOTFOUND" || code === "EAI_AGAIN"
        ? "could not be resolved"
        : code === "UND_ERR_SOCKET" || code === "ECONNRESET" || (error instanceof TypeError && error.message === "terminated")
          ? "closed the connection before the response was complete"
          : "could not be reached";
  return new AppError("PROVIDER_UNAVAILABLE", { provider, detail: `The user office ${what} (${call})`, cause: error });
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => (clearTimeout(t), reject(signal.reason)), { once: true });
  });

/** Creates the HTTP client from the `http` settings. */
export function createHttpClient(settings: HttpSettings, ctx: ProviderContext, provider: string): HttpClient {
  const log: Logger = ctx.logger;
  const dispatcher =
    settings.caCert !== undefined || settings.connectTimeoutMs !== undefined
      ? new Agent({
          connect: {
            ...(settings.connectTimeoutMs !== undefined ? { timeout: settings.connectTimeoutMs } : {}),
            ...(settings.caCert !== undefined ? { ca: settings.caCert } : {}),
          },
        })
      : undefined;

  async function once(request: HttpRequest): Promise<HttpResponse> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (request.json !== undefined) headers["content-type"] = "application/json";
    if (request.basic) headers.authorization = basicHeader(request.basic);
    const signals = [AbortSignal.timeout(settings.timeoutMs), ctx.signal];
    if (request.signal) signals.push(request.signal);
    // The dispatcher is undici-specific (Node); other fetch implementations ignore the field.
    const init = {
      method: request.method,
      headers,
      signal: AbortSignal.any(signals),
      redirect: "manual",
      ...(request.json !== undefined ? { body: JSON.stringify(request.json) } : {}),
      ...(dispatcher ? { dispatcher } : {}),
    } as unknown as RequestInit;
    const started = Date.now();
    try {
      const response = await ctx.fetch(request.url, init);
      const bytes = await readBounded(response, settings.maxResponseBytes, provider);
      const fields = { call: request.call, method: request.method, url: redact(request.url), status: response.status, ms: Date.now() - started };
      if (response.status >= 500) log.warn("user office answered with a server error", fields);
      else log.debug("user office call", fields);
      if (response.status >= 300 && response.status < 400) {
        throw new AppError("PROVIDER_ERROR", { provider, detail: `The user office answered the ${request.call} call with a redirect (${response.status}); configure the final URL` });
      }
      const text = new TextDecoder().decode(bytes).trim();
      if (text === "") return { status: response.status, body: undefined };
      try {
        return { status: response.status, body: JSON.parse(text) as unknown };
      } catch (cause) {
        if (response.status >= 500) return { status: response.status, body: undefined };
        throw new AppError("PROVIDER_ERROR", { provider, detail: `The user office sent invalid JSON (${request.call}, HTTP ${response.status})`, cause });
      }
    } catch (error) {
      const mapped = mapError(error, request.call, provider, settings.timeoutMs, request.signal);
      log.warn("user office call failed", { call: request.call, method: request.method, url: redact(request.url), code: mapped.code, ms: Date.now() - started });
      throw mapped;
    }
  }

  return {
    async request(request) {
      const attempts = request.method === "GET" ? settings.retries + 1 : 1;
      for (let attempt = 1; ; attempt++) {
        let result: HttpResponse | undefined;
        let failure: AppError | undefined;
        try {
          result = await once(request);
        } catch (error) {
          failure = error as AppError;
        }
        const retryable = failure ? failure.code === "PROVIDER_UNAVAILABLE" && !request.signal?.aborted && !ctx.signal.aborted : RETRY_STATUS.has(result!.status);
        if (!retryable || attempt >= attempts) {
          if (failure) throw failure;
          return result!;
        }
        const delay = settings.retryBackoffMs * 2 ** (attempt - 1) * (0.5 + Math.random() / 2);
        log.info("retrying user office call", { call: request.call, attempt: attempt + 1, delayMs: Math.round(delay) });
        await sleep(delay, request.signal);
      }
    },
    async close() {
      await dispatcher?.close();
    },
  };
}
