/**
 * @module What the FAKE Kubernetes API does with a created pod: the scheduler and kubelet steps,
 * with the real phases, conditions and events (Scheduled, Pulling, Pulled, Created, Started,
 * Failed/ErrImagePull).
 */
import type { FakeKubeApi } from "./server.ts";
import type { KubeObject } from "./store.ts";

/**
 * - `ready`: scheduled, pulled, started, Ready once its secret volumes exist;
 * - `never`: scheduled, then stays Pending (readiness never comes);
 * - `fail`: starts, then the container exits 1 and the pod goes to `Failed`;
 * - `imagePullError`: the image can't be pulled (Warning events, `ErrImagePull` waiting reason);
 * - `manual`: nothing happens; the test drives the pod.
 */
export type PodScenario = "ready" | "never" | "fail" | "imagePullError" | "manual";

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

function secretsReady(api: FakeKubeApi, ns: string, pod: KubeObject): boolean {
  const volumes = ((pod.spec as { volumes?: { secret?: { secretName: string } }[] })?.volumes ?? []).filter((v) => v.secret);
  return volumes.every((v) => api.store.get("secrets", ns, v.secret!.secretName));
}

export function podScenario(api: FakeKubeApi, ns: string, pod: KubeObject, scenario: PodScenario): void {
  if (scenario === "manual") return;
  const name = pod.metadata.name;
  const exists = () => api.store.get("pods", ns, name) !== undefined;
  const set = (status: Record<string, unknown>) => api.mutate("pods", ns, name, (o) => void (o.status = { ...(o.status as object), ...status }));
  void (async () => {
    await tick();
    if (!exists()) return;
    api.mutate("pods", ns, name, (o) => void ((o.spec as Record<string, unknown>).nodeName = "fake-node-1"));
    set({ conditions: [{ type: "PodScheduled", status: "True" }] });
    api.event(ns, pod, "Scheduled", `Successfully assigned ${ns}/${name} to fake-node-1`);
    if (scenario === "never") return;
    await tick();
    if (!exists()) return;
    const image = ((pod.spec as { containers: { image: string }[] }).containers[0]?.image) ?? "";
    api.event(ns, pod, "Pulling", `Pulling image "${image}"`);
    // Like a real registry, an image under the reserved `.invalid` TLD never resolves.
    if (scenario === "imagePullError" || /\.invalid\//.test(image)) {
      api.event(ns, pod, "Failed", `Failed to pull image "${image}": not found`, "Warning");
      set({ containerStatuses: [{ name: "desktop", ready: false, state: { waiting: { reason: "ErrImagePull", message: `pull access denied for ${image}` } } }] });
      return;
    }
    api.event(ns, pod, "Pulled", `Successfully pulled image "${image}"`);
    for (let i = 0; i < 400 && exists() && !secretsReady(api, ns, pod); i++) await tick();
    if (!exists()) return;
    api.event(ns, pod, "Created", "Created container desktop");
    api.event(ns, pod, "Started", "Started container desktop");
    if (scenario === "fail") {
      set({ phase: "Failed", reason: "Error", containerStatuses: [{ name: "desktop", ready: false, state: { terminated: { exitCode: 1, reason: "Error" } } }], log: "desktop: cannot open display" });
      return;
    }
    set({
      phase: "Running",
      podIP: "10.244.0.7",
      conditions: [
        { type: "PodScheduled", status: "True" },
        { type: "Initialized", status: "True" },
        { type: "ContainersReady", status: "True" },
        { type: "Ready", status: "True" },
      ],
      containerStatuses: [{ name: "desktop", ready: true, state: { running: { startedAt: new Date().toISOString() } } }],
    });
  })();
}
