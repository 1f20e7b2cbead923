/** @module Builds the Kubernetes client (kubeconfig file, in-cluster, or inline cluster) for the backend. */
import { CoreV1Api, KubeConfig, Watch } from "@kubernetes/client-node";
import type { KubernetesConfig } from "./config.ts";

export interface KubeClient {
  readonly kc: KubeConfig;
  readonly core: CoreV1Api;
  readonly watch: Watch;
}

export function createKubeClient(config: KubernetesConfig): KubeClient {
  const kc = new KubeConfig();
  if (config.cluster) {
    kc.loadFromOptions({
      clusters: [{ name: "calipso", server: config.cluster.server, skipTLSVerify: config.cluster.skipTLSVerify, ...(config.cluster.caData ? { caData: config.cluster.caData } : {}) }],
      users: [{ name: "calipso", ...(config.cluster.token ? { token: config.cluster.token } : {}) }],
      contexts: [{ name: "calipso", cluster: "calipso", user: "calipso", namespace: config.namespace }],
      currentContext: "calipso",
    });
  } else if (config.inCluster) {
    kc.loadFromCluster();
  } else if (config.kubeconfig) {
    kc.loadFromFile(config.kubeconfig);
  } else {
    kc.loadFromDefault();
  }
  if (config.context) kc.setCurrentContext(config.context);
  return { kc, core: kc.makeApiClient(CoreV1Api), watch: new Watch(kc) };
}
