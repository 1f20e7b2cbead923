/**
 * @module In-memory object store of the FAKE Kubernetes API server: namespaced objects with
 * resourceVersions, a bounded history for watch resumption, and label/field selectors.
 *
 * This is a fake. No real kube-apiserver runs on the project's machines (not in Debian, not on npm),
 * so the Kubernetes adapter is tested against this server, which follows the real API's semantics
 * for the few paths the adapter uses.
 */

export type KubeObject = {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    ownerReferences?: { uid: string; name: string; kind: string; apiVersion: string }[];
    creationTimestamp?: string;
    [key: string]: unknown;
  };
  [key: string]: unknown;
};

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED";
export interface WatchEvent {
  readonly type: WatchEventType;
  readonly object: KubeObject;
  readonly resource: string;
  readonly rv: number;
}

type Listener = (event: WatchEvent) => void;

/** Parses an equality-based label selector (`a=b,c==d,e!=f`, `key`, `!key`). */
export function matchesLabelSelector(labels: Record<string, string> | undefined, selector: string | null): boolean {
  if (!selector) return true;
  const l = labels ?? {};
  return selector.split(",").every((term) => {
    const t = term.trim();
    if (!t) return true;
    const ne = t.indexOf("!=");
    if (ne > 0) return l[t.slice(0, ne)] !== t.slice(ne + 2);
    const eq = t.indexOf("=");
    if (eq > 0) return l[t.slice(0, eq)] === t.slice(eq + (t[eq + 1] === "=" ? 2 : 1));
    if (t.startsWith("!")) return !(t.slice(1) in l);
    return t in l;
  });
}

/** Supports `metadata.name=x` and `involvedObject.name=x` field selectors. */
export function matchesFieldSelector(object: KubeObject, selector: string | null): boolean {
  if (!selector) return true;
  return selector.split(",").every((term) => {
    const [path, value] = term.split("=");
    if (!path) return true;
    let cur: unknown = object;
    for (const key of path.split(".")) cur = (cur as Record<string, unknown> | undefined)?.[key];
    return String(cur) === value;
  });
}

export class FakeObjectStore {
  private rv = 1000;
  private readonly objects = new Map<string, KubeObject>();
  private readonly history: WatchEvent[] = [];
  private readonly listeners = new Set<Listener>();

  static key(resource: string, namespace: string, name: string): string {
    return `${resource}/${namespace}/${name}`;
  }

  get resourceVersion(): number {
    return this.rv;
  }

  get(resource: string, namespace: string, name: string): KubeObject | undefined {
    const o = this.objects.get(FakeObjectStore.key(resource, namespace, name));
    return o ? structuredClone(o) : undefined;
  }

  list(resource: string, namespace: string): KubeObject[] {
    const prefix = `${resource}/${namespace}/`;
    return [...this.objects.entries()].filter(([k]) => k.startsWith(prefix)).map(([, o]) => structuredClone(o));
  }

  all(): KubeObject[] {
    return [...this.objects.values()].map((o) => structuredClone(o));
  }

  put(resource: string, object: KubeObject, type: WatchEventType): KubeObject {
    const stored = structuredClone(object);
    stored.metadata.resourceVersion = String(++this.rv);
    const key = FakeObjectStore.key(resource, stored.metadata.namespace ?? "default", stored.metadata.name);
    if (type === "DELETED") this.objects.delete(key);
    else this.objects.set(key, stored);
    const event: WatchEvent = { type, object: structuredClone(stored), resource, rv: this.rv };
    this.history.push(event);
    if (this.history.length > 10_000) this.history.shift();
    for (const l of this.listeners) l(event);
    return structuredClone(stored);
  }

  /** Events after `sinceRv`, or `undefined` when that version is too old (410 Gone). */
  since(sinceRv: number): WatchEvent[] | undefined {
    const first = this.history[0];
    if (first && sinceRv < first.rv - 1) return undefined;
    return this.history.filter((e) => e.rv > sinceRv);
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
