/**
 * @module Prometheus metrics (prom-client, own registry): requests by route and status, launches by
 * outcome, launch duration, instances by state (read from the store at scrape time).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { InstanceStateSchema } from "@calipso/core";
import type { ComputeBackend, Store } from "@calipso/core";
import type { ResponseInfo } from "../options.ts";

export interface Metrics {
  readonly registry: Registry;
  /** The `onResponse` callback of `createApp`. */
  observe(info: ResponseInfo): void;
  /** Wraps a compute backend so its starts are counted and timed. */
  instrument(name: string, backend: ComputeBackend): ComputeBackend;
  render(): Promise<string>;
  readonly contentType: string;
}

export function createMetrics(store: Store, options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: "calipso_process_" });
  const requests = new Counter({ name: "calipso_http_requests_total", help: "HTTP requests by method, route and status", labelNames: ["method", "route", "status"], registers: [registry] });
  const latency = new Histogram({
    name: "calipso_http_request_duration_seconds",
    help: "HTTP request duration by route",
    labelNames: ["route"],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const launches = new Counter({
    name: "calipso_launches_total",
    help: "Launches by outcome: rejected (refused by the API), ready (the backend started it), failed (the backend failed)",
    labelNames: ["outcome"],
    registers: [registry],
  });
  const launchDuration = new Histogram({
    name: "calipso_launch_duration_seconds",
    help: "Time from compute start to ready",
    labelNames: ["backend"],
    buckets: [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300],
    registers: [registry],
  });
  new Gauge({
    name: "calipso_instances",
    help: "Instances by state",
    labelNames: ["state"],
    registers: [registry],
    async collect() {
      for (const state of InstanceStateSchema.options) {
        const page = await store.instances.list({ states: [state], page: 1, pageSize: 1 });
        this.set({ state }, page.total);
      }
    },
  });
  return {
    registry,
    contentType: registry.contentType,
    observe(info) {
      requests.inc({ method: info.method, route: info.route, status: String(info.status) });
      latency.observe({ route: info.route }, info.durationMs / 1000);
      if (info.method === "POST" && /\/api\/v1\/instances$/.test(info.route) && info.status >= 400) launches.inc({ outcome: "rejected" });
    },
    instrument(name, backend) {
      return {
        ...backend,
        start: async (spec, opts) => {
          const end = launchDuration.startTimer({ backend: name });
          try {
            const started = await backend.start(spec, opts);
            end();
            launches.inc({ outcome: "ready" });
            return started;
          } catch (error) {
            launches.inc({ outcome: "failed" });
            throw error;
          }
        },
        status: (h) => backend.status(h),
        stop: (h) => backend.stop(h),
        list: (s) => backend.list(s),
      };
    },
    render: () => registry.metrics(),
  };
}
