import { existsSync } from "node:fs";
import { BerthError } from "../../../core/errors.ts";
import { createKubeClient, type KubeClient, type KubeClientOptions } from "./kube-client.ts";
import { readKubeconfig } from "./kubeconfig.ts";

/**
 * The cluster's client for an install in fleet mode, made from the kubeconfig `fleet init` keeps
 * in the data dir. It is read on the first call, not at start: serve starts before the cluster
 * exists, and a call before `fleet init` gets one line saying what to do.
 */
export function lazyKubeClient(kubeconfig: string, options: KubeClientOptions & { warn?: (line: string) => void } = {}): KubeClient {
  let client: KubeClient | null = null;
  const current = (): KubeClient => {
    if (client) return client;
    if (!existsSync(kubeconfig)) throw new BerthError("unavailable", `fleet mode has no cluster yet (no kubeconfig at ${kubeconfig}): run berth fleet init first`);
    client = createKubeClient(readKubeconfig(kubeconfig, undefined, options.warn), options);
    return client;
  };
  // Async, so a missing kubeconfig is a rejected promise like any failed call, never a throw at the call site.
  return {
    apply: async (object, manager) => current().apply(object, manager),
    get: async (ref) => current().get(ref),
    list: async (kind, namespace, labels, fields) => current().list(kind, namespace, labels, fields),
    patch: async (ref, patch) => current().patch(ref, patch),
    evict: async (namespace, pod) => current().evict(namespace, pod),
    remove: async (ref) => current().remove(ref),
    podLogs: async (namespace, pod, options) => current().podLogs(namespace, pod, options),
    followPodLogs: async (namespace, pod, options) => current().followPodLogs(namespace, pod, options),
  };
}
