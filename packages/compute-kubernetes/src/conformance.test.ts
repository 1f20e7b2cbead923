/**
 * The compute conformance kit of @calipso/sdk against the Kubernetes backend, talking to a FAKE
 * Kubernetes API server on loopback (no real kube-apiserver can run here; see src/fake/server.ts).
 */
import { describeComputeBackend } from "@calipso/sdk/testing";
import { afterAll } from "vitest";
import { kubernetesBackend } from "./backend.ts";
import { FakeKubeApi } from "./fake/server.ts";

const api = new FakeKubeApi({ token: "kit-token" });
const server = await api.listen();
afterAll(() => api.close());

const selectorMatches = (labels: Record<string, string> | undefined, selector: Readonly<Record<string, string>>) =>
  Object.entries(selector).every(([k, v]) => labels?.[k] === v);

describeComputeBackend({
  definition: kubernetesBackend,
  config: { cluster: { server, token: "kit-token", skipTLSVerify: true }, namespace: "kit" },
  invalidConfigs: [
    { config: { namespace: "Not_A_Namespace" }, field: "namespace" },
    { config: { service: { type: "NodePort" } }, field: "service.nodeAddress" },
    { config: { unknownKey: true }, field: "unknownKey" },
  ],
  workload: { image: "registry.example.org/desktop:1", timeoutSec: 5 },
  inspect: {
    async exists(handle) {
      const pod = String((handle.state as { pod?: string }).pod);
      return ["pods", "services", "secrets"].some((r) => api.objects(r, "kit").some((o) => o.metadata.name === pod || o.metadata.name === `${pod}-secret`));
    },
    async count(selector) {
      return api.objects("pods", "kit").filter((o) => selectorMatches(o.metadata.labels, selector)).length;
    },
  },
  unknownHandle: (real) => ({ ...real, id: "unknown", state: { ...real.state, pod: "calipso-never-existed", service: "calipso-never-existed", secret: "calipso-never-existed-secret" } }),
  timeoutMs: 15_000,
});
