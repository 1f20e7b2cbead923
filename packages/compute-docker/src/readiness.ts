/**
 * @module Readiness probes: TCP connect, HTTP GET, or a log line, repeated until ready, the workload
 * exits (checked by `alive()` between probes) or the signal aborts (caller or deadline).
 */
import { connect } from "node:net";
import type { Readable } from "node:stream";
import type { Readiness } from "@calipso/core";

/** What a readiness wait needs. */
export interface ReadinessProbe {
  readonly readiness: Readiness;
  readonly host: string;
  readonly port: number;
  /** Aborted by the caller or by the deadline. */
  readonly signal: AbortSignal;
  /** Throws when the workload is gone (exited early); called between probes. */
  readonly alive: () => Promise<void>;
  /** Opens the workload's combined log stream, following, from the start (log readiness). */
  readonly logs: (signal: AbortSignal) => Promise<Readable>;
  readonly fetch: typeof fetch;
  readonly intervalMs: number;
  /** How long an accepted TCP connection must stay open (or send data) to count as ready. */
  readonly settleMs: number;
}

/** Liveness (an engine inspect) is checked at most this often while probing TCP or HTTP. */
const ALIVE_EVERY_MS = 500;

/** Sleeps `ms`, rejecting with the signal's reason when it aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * One TCP probe: true when the port accepts a connection that the server does not close at once
 * (Docker's userland proxy accepts on the host even when nothing listens in the container).
 */
export function tcpProbe(host: string, port: number, signal: AbortSignal, settleMs: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, signal });
    let settled = false;
    const done = (ok: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once("connect", () => {
      clearTimeout(timer);
      if (settleMs === 0) done(true);
      else setTimeout(() => done(true), settleMs);
    });
    socket.once("data", () => done(true));
    socket.once("end", () => done(false));
    socket.once("close", () => done(false));
    socket.once("error", () => done(false));
  });
}

/** One HTTP probe: true when GET answers with a status below 500. */
async function httpProbe(url: string, signal: AbortSignal, fetchFn: typeof fetch): Promise<boolean> {
  try {
    const response = await fetchFn(url, { signal: AbortSignal.any([signal, AbortSignal.timeout(2000)]), redirect: "manual" });
    await response.body?.cancel().catch(() => undefined);
    return response.status < 500;
  } catch {
    return false;
  }
}

/** Waits for a log line matching `pattern` (lines capped at 4 KiB); resolves false when the stream ends. */
async function logMatch(pattern: RegExp, probe: ReadinessProbe, signal: AbortSignal): Promise<boolean> {
  const stream = await probe.logs(signal);
  return new Promise<boolean>((resolve, reject) => {
    let pending = "";
    const finish = (value: boolean | Error) => {
      stream.removeAllListeners("data");
      stream.destroy();
      if (value instanceof Error) reject(value);
      else resolve(value);
    };
    stream.on("data", (chunk: Buffer | string) => {
      pending += chunk.toString();
      const lines = pending.split("\n");
      pending = (lines.pop() ?? "").slice(-4096);
      if (lines.some((line) => pattern.test(line.slice(0, 4096))) || pattern.test(pending)) finish(true);
    });
    stream.once("end", () => finish(false));
    stream.once("error", (error: Error) => finish(signal.aborted ? (signal.reason as Error) : error));
    signal.addEventListener("abort", () => finish(signal.reason as Error), { once: true });
  });
}

/** Waits until the workload is ready; rejects with `alive()`'s error or the signal's reason. */
export async function waitUntilReady(probe: ReadinessProbe): Promise<void> {
  const { readiness, signal } = probe;
  if ("log" in readiness) {
    const pattern = new RegExp(readiness.log);
    const local = new AbortController();
    const both = AbortSignal.any([signal, local.signal]);
    // The log stream ends when the container exits; a parallel liveness watch reports why.
    const watch = (async () => {
      for (;;) {
        await sleep(ALIVE_EVERY_MS, both);
        await probe.alive();
      }
    })();
    watch.catch(() => undefined);
    try {
      // A follow stream can end without the container exiting (request timeout): reopen it.
      for (;;) {
        const matched = await Promise.race([logMatch(pattern, probe, both), watch.then(() => false)]);
        if (matched) return;
        await probe.alive();
        await sleep(probe.intervalMs, both);
      }
    } finally {
      local.abort();
    }
  }
  // The caller has just seen the container running: the first liveness check is due after ALIVE_EVERY_MS.
  let checkedAt = Date.now();
  for (;;) {
    signal.throwIfAborted();
    if (Date.now() - checkedAt >= ALIVE_EVERY_MS) {
      await probe.alive();
      checkedAt = Date.now();
    }
    const ok =
      "tcp" in readiness
        ? await tcpProbe(probe.host, probe.port, signal, probe.settleMs)
        : await httpProbe(`http://${probe.host.includes(":") ? `[${probe.host}]` : probe.host}:${probe.port}${readiness.http}`, signal, probe.fetch);
    if (ok) return;
    await sleep(probe.intervalMs, signal);
  }
}
