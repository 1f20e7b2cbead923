/**
 * @module A FAKE Kubernetes API server on loopback, for tests.
 *
 * No real kube-apiserver can run on this project's machines, so the adapter is tested against this
 * fake. It follows the real API for what the adapter uses: core/v1 pods, services, secrets, events
 * and pod logs; resourceVersion on every write; list and `watch=true` streams of
 * `ADDED`/`MODIFIED`/`DELETED` events resumable from a resourceVersion (410 Gone when too old);
 * `Status` objects for 401/403/404/409/422; namespace scoping; equality label selectors and simple
 * field selectors; owner-reference garbage collection; and pod phases and conditions driven by a
 * scenario the test picks (or by the test itself).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { FakeObjectStore, matchesFieldSelector, matchesLabelSelector, type KubeObject } from "./store.ts";
import { podScenario, type PodScenario } from "./scenarios.ts";

const RESOURCES: Record<string, string> = { pods: "Pod", services: "Service", secrets: "Secret", events: "Event" };
const DNS_1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export interface FakeKubeOptions {
  /** Bearer token the server requires (401 otherwise). */
  readonly token?: string;
  /** What happens to created pods (default `ready`). */
  readonly scenario?: PodScenario;
}

/** Builds a Kubernetes `Status` failure object. */
export function kubeStatus(code: number, reason: string, message: string, details?: Record<string, unknown>) {
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, ...(details ? { details } : {}), code };
}

export class FakeKubeApi {
  readonly store = new FakeObjectStore();
  readonly requests: { method: string; path: string }[] = [];
  /** `"<verb> <resource>"` pairs that answer 403 (RBAC). */
  readonly forbidden = new Set<string>();
  /** Namespace pod quota: creating more pods than this answers 403 "exceeded quota". */
  podQuota: number | undefined;
  scenario: PodScenario;
  private server: Server | undefined;
  private readonly openWatches = new Set<ServerResponse>();
  private uid = 0;

  constructor(private readonly options: FakeKubeOptions = {}) {
    this.scenario = options.scenario ?? "ready";
  }

  /** Starts listening on 127.0.0.1 and returns the base URL. */
  async listen(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.dropWatches();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server?.closeAllConnections();
  }

  /** Ends every open watch stream (a watch disconnect). */
  dropWatches(): void {
    for (const res of this.openWatches) res.destroy();
    this.openWatches.clear();
  }

  /** Objects of one kind in a namespace (read directly, not through the adapter). */
  objects(resource: string, namespace = "default"): KubeObject[] {
    return this.store.list(resource, namespace);
  }

  /** Applies a change to a stored object as the cluster would (kubelet, scheduler). */
  mutate(resource: string, namespace: string, name: string, change: (o: KubeObject) => void): void {
    const o = this.store.get(resource, namespace, name);
    if (!o) return;
    change(o);
    this.store.put(resource, o, "MODIFIED");
  }

  /** Records a core/v1 Event about an object, as the kubelet and scheduler do. */
  event(namespace: string, involved: KubeObject, reason: string, message: string, type: "Normal" | "Warning" = "Normal"): void {
    const name = `${involved.metadata.name}.${(++this.uid).toString(16)}`;
    this.store.put(
      "events",
      {
        apiVersion: "v1",
        kind: "Event",
        metadata: { name, namespace, uid: `uid-${this.uid}` },
        involvedObject: { kind: involved.kind, name: involved.metadata.name, namespace, uid: involved.metadata.uid },
        reason,
        message,
        type,
      },
      "ADDED",
    );
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://fake");
    this.requests.push({ method: req.method ?? "GET", path: url.pathname });
    const send = (code: number, body: unknown) => {
      res.writeHead(code, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (this.options.token && req.headers.authorization !== `Bearer ${this.options.token}`) {
      return send(401, kubeStatus(401, "Unauthorized", "Unauthorized"));
    }
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/([^/]+)(?:\/([^/]+))?(?:\/(log))?$/.exec(url.pathname);
    if (!m || !RESOURCES[m[2]!]) return send(404, kubeStatus(404, "NotFound", "the server could not find the requested resource"));
    const [, namespace, resource, name, sub] = m as unknown as [string, string, string, string | undefined, string | undefined];
    const verb = verbOf(req.method ?? "GET", name, url);
    if (this.forbidden.has(`${verb} ${resource}`)) {
      return send(
        403,
        kubeStatus(403, "Forbidden", `${resource}${name ? ` "${name}"` : ""} is forbidden: User "system:serviceaccount:calipso:calipso" cannot ${verb} resource "${resource}" in API group "" in the namespace "${namespace}"`, { kind: resource, ...(name ? { name } : {}) }),
      );
    }
    const body = req.method === "POST" || req.method === "PATCH" || req.method === "PUT" ? await readJson(req) : undefined;
    if (verb === "watch") return this.watch(resource, namespace, url, res);
    if (verb === "list") {
      const items = this.store
        .list(resource, namespace)
        .filter((o) => matchesLabelSelector(o.metadata.labels, url.searchParams.get("labelSelector")) && matchesFieldSelector(o, url.searchParams.get("fieldSelector")));
      return send(200, { kind: `${RESOURCES[resource]}List`, apiVersion: "v1", metadata: { resourceVersion: String(this.store.resourceVersion) }, items });
    }
    if (verb === "create") return this.create(resource, namespace, body as KubeObject, send);
    const existing = this.store.get(resource, namespace, name!);
    if (!existing) return send(404, kubeStatus(404, "NotFound", `${resource} "${name}" not found`, { name, kind: resource }));
    if (sub === "log") {
      res.writeHead(200, { "content-type": "text/plain" });
      return void res.end(String((existing.status as { log?: string } | undefined)?.log ?? ""));
    }
    if (verb === "get") return send(200, existing);
    if (verb === "delete") {
      const deleted = this.store.put(resource, existing, "DELETED");
      this.collectGarbage(namespace, existing.metadata.uid);
      return send(200, deleted);
    }
    // patch / update: JSON merge of metadata and spec
    const merged = { ...existing, ...(body as object), metadata: { ...existing.metadata, ...((body as KubeObject)?.metadata ?? {}) } } as KubeObject;
    return send(200, this.store.put(resource, merged, "MODIFIED"));
  }

  private create(resource: string, namespace: string, object: KubeObject, send: (c: number, b: unknown) => void): void {
    const name = object?.metadata?.name;
    if (!name || !DNS_1123.test(name) || name.length > 63) {
      return send(422, kubeStatus(422, "Invalid", `${RESOURCES[resource]} "${name}" is invalid: metadata.name: Invalid value: "${name}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-'`, { name, kind: RESOURCES[resource] }));
    }
    if (this.store.get(resource, namespace, name)) {
      return send(409, kubeStatus(409, "AlreadyExists", `${resource} "${name}" already exists`, { name, kind: resource }));
    }
    if (resource === "pods" && this.podQuota !== undefined && this.store.list("pods", namespace).length >= this.podQuota) {
      const used = this.store.list("pods", namespace).length;
      return send(403, kubeStatus(403, "Forbidden", `pods "${name}" is forbidden: exceeded quota: calipso-quota, requested: pods=1, used: pods=${used}, limited: pods=${this.podQuota}`, { name, kind: "pods" }));
    }
    const stored: KubeObject = {
      ...object,
      apiVersion: "v1",
      kind: RESOURCES[resource]!,
      metadata: { ...object.metadata, namespace, uid: `uid-${++this.uid}`, creationTimestamp: new Date().toISOString() },
    };
    if (resource === "pods") stored.status = { phase: "Pending", conditions: [] };
    if (resource === "services") {
      const spec = (stored.spec ?? {}) as { type?: string; ports?: { port: number; nodePort?: number }[] };
      stored.spec = { ...spec, clusterIP: `10.96.0.${this.uid % 250}`, ports: (spec.ports ?? []).map((p, i) => (spec.type === "NodePort" ? { ...p, nodePort: 30000 + ((this.uid * 7 + i) % 2000) } : p)) };
    }
    const created = this.store.put(resource, stored, "ADDED");
    send(201, created);
    if (resource === "pods") podScenario(this, namespace, created, this.scenario);
  }

  private watch(resource: string, namespace: string, url: URL, res: ServerResponse): void {
    const labelSelector = url.searchParams.get("labelSelector");
    const fieldSelector = url.searchParams.get("fieldSelector");
    const rv = Number(url.searchParams.get("resourceVersion") ?? this.store.resourceVersion);
    res.writeHead(200, { "content-type": "application/json", "transfer-encoding": "chunked" });
    this.openWatches.add(res);
    const matches = (o: KubeObject) => (o.metadata.namespace ?? "default") === namespace && matchesLabelSelector(o.metadata.labels, labelSelector) && matchesFieldSelector(o, fieldSelector);
    const backlog = this.store.since(rv);
    if (!backlog) {
      res.write(JSON.stringify({ type: "ERROR", object: kubeStatus(410, "Expired", `too old resource version: ${rv}`) }) + "\n");
      return void res.end();
    }
    for (const e of backlog) if (e.resource === resource && matches(e.object)) res.write(JSON.stringify({ type: e.type, object: e.object }) + "\n");
    const unsubscribe = this.store.subscribe((e) => {
      if (e.resource === resource && matches(e.object)) res.write(JSON.stringify({ type: e.type, object: e.object }) + "\n");
    });
    res.on("close", () => {
      unsubscribe();
      this.openWatches.delete(res);
    });
  }

  private collectGarbage(namespace: string, ownerUid: string | undefined): void {
    if (!ownerUid) return;
    for (const resource of Object.keys(RESOURCES)) {
      for (const o of this.store.list(resource, namespace)) {
        if (o.metadata.ownerReferences?.some((r) => r.uid === ownerUid)) this.store.put(resource, o, "DELETED");
      }
    }
  }
}

function verbOf(method: string, name: string | undefined, url: URL): string {
  if (method === "GET") return name ? "get" : url.searchParams.get("watch") === "true" ? "watch" : "list";
  if (method === "POST") return "create";
  if (method === "DELETE") return "delete";
  if (method === "PATCH") return "patch";
  return "update";
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  return text ? JSON.parse(text) : undefined;
}
