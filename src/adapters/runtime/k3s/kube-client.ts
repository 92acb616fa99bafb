import { BerthError } from "../../../core/errors.ts";
import type { KubeConfig } from "./kubeconfig.ts";
import type { KubeObject } from "./object.ts";

/** Where each kind Berth touches lives in the API: its group/version prefix, its plural, whether it is namespaced. */
const RESOURCES = {
  Namespace: { prefix: "/api/v1", plural: "namespaces", namespaced: false },
  Node: { prefix: "/api/v1", plural: "nodes", namespaced: false },
  Secret: { prefix: "/api/v1", plural: "secrets", namespaced: true },
  Service: { prefix: "/api/v1", plural: "services", namespaced: true },
  PersistentVolumeClaim: { prefix: "/api/v1", plural: "persistentvolumeclaims", namespaced: true },
  Pod: { prefix: "/api/v1", plural: "pods", namespaced: true },
  Deployment: { prefix: "/apis/apps/v1", plural: "deployments", namespaced: true },
  Job: { prefix: "/apis/batch/v1", plural: "jobs", namespaced: true },
  CronJob: { prefix: "/apis/batch/v1", plural: "cronjobs", namespaced: true },
  NetworkPolicy: { prefix: "/apis/networking.k8s.io/v1", plural: "networkpolicies", namespaced: true },
} as const;

export type KubeKind = keyof typeof RESOURCES;

export const KUBE_KINDS = Object.keys(RESOURCES) as KubeKind[];

/** One object by kind, namespace (none for a Namespace) and name. */
export interface ObjectRef {
  kind: KubeKind;
  namespace?: string;
  name: string;
}

/** An object as the API returns it: what was applied, plus status and server-set metadata. */
export type LiveObject = KubeObject & {
  metadata: KubeObject["metadata"] & { generation?: number; uid?: string; resourceVersion?: string; creationTimestamp?: string; ownerReferences?: { kind: string; name: string }[] };
  status?: Record<string, any>;
  spec?: Record<string, any>;
};

export interface KubeClient {
  /**
   * Server-side apply as field manager `berth` (or `manager`), taking over fields another manager
   * set (force). Fields the manager applied before and leaves out now are removed.
   */
  apply(object: KubeObject, manager?: string): Promise<LiveObject>;
  /** The object, or null when there is none. */
  get(ref: ObjectRef): Promise<LiveObject | null>;
  /**
   * Objects of a kind matching every label given (and every field, e.g. `spec.nodeName`); no
   * namespace: across the cluster.
   */
  list(kind: KubeKind, namespace: string | undefined, labels: Record<string, string>, fields?: Record<string, string>): Promise<LiveObject[]>;
  /** A JSON merge patch (RFC 7386) of a few fields, outside server-side apply: e.g. cordoning a Node Berth does not own. */
  patch(ref: ObjectRef, patch: Record<string, unknown>): Promise<LiveObject>;
  /**
   * Asks the API to evict a pod (the Eviction subresource): `evicted`, `gone` (no such pod), or
   * `blocked` with the API's words when a PodDisruptionBudget does not allow it now (429).
   */
  evict(namespace: string, pod: string): Promise<{ outcome: "evicted" | "gone" } | { outcome: "blocked"; message: string }>;
  /** Deletes with background propagation (a Deployment's pods go after it); false when it was not there. */
  remove(ref: ObjectRef): Promise<boolean>;
  /** The last `tailLines` lines a pod's container wrote; `previous`: the run before its last restart. */
  podLogs(namespace: string, pod: string, options: { tailLines: number; container?: string; previous?: boolean }): Promise<string[]>;
  /**
   * A pod's output as it is written (`follow=true&timestamps=true`): the body, open while the
   * container runs; each line starts with its RFC 3339 time. `sinceTime` (whole seconds, as the
   * API takes it) skips older lines. The request's timeout covers the answer's headers only;
   * `signal` ends the stream.
   */
  followPodLogs(namespace: string, pod: string, options: { container?: string; sinceTime?: string; signal?: AbortSignal }): Promise<ReadableStream<Uint8Array>>;
}

export const FIELD_MANAGER = "berth";

/** "v1", "apps/v1": the apiVersion of a kind, from its path prefix. */
export const apiVersionOf = (kind: KubeKind) => RESOURCES[kind].prefix.replace(/^\/apis?\//, "");

const segment = (text: string) => encodeURIComponent(text);

/** The API path of a kind, in a namespace when it is namespaced, of one object when named. */
export function resourcePath(kind: KubeKind, namespace: string | undefined, name?: string): string {
  const resource = RESOURCES[kind];
  if (!resource) throw new BerthError("invalid", `Berth does not manage Kubernetes kind ${JSON.stringify(kind)}`);
  let path = resource.prefix;
  if (resource.namespaced && namespace !== undefined) path += `/namespaces/${segment(namespace)}`;
  else if (resource.namespaced && name !== undefined) throw new BerthError("invalid", `${kind} ${name}: a namespace is needed`);
  path += `/${resource.plural}`;
  return name === undefined ? path : `${path}/${segment(name)}`;
}

/** "Deployment berth-shop-prod/web": how messages name an object. */
export const describeRef = (ref: ObjectRef) => `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ""}${ref.name}`;

export const refOf = (object: KubeObject): ObjectRef => ({ kind: object.kind as KubeKind, namespace: object.metadata.namespace, name: object.metadata.name });

export const labelSelector = (labels: Record<string, string>) =>
  Object.entries(labels)
    .map(([key, value]) => `${key}=${value}`)
    .join(",");

/** What failed, from an API answer: a Status object's message when there is one, else the HTTP status. */
async function apiError(action: string, response: Response): Promise<BerthError> {
  const text = await response.text().catch(() => "");
  let message = text.trim().split("\n")[0]?.slice(0, 300) || response.statusText;
  try {
    const status = JSON.parse(text) as { kind?: string; message?: string; reason?: string };
    if (status.kind === "Status" && status.message) message = `${status.reason ? `${status.reason}: ` : ""}${status.message.split("\n")[0]}`;
  } catch {
    // Not JSON (a proxy's page): its first line.
  }
  const code = response.status === 404 ? "not_found" : response.status === 409 ? "conflict" : response.status === 401 || response.status === 403 ? "forbidden" : response.status === 422 || response.status === 400 ? "invalid" : "unavailable";
  return new BerthError(code, `${action}: the API answered ${response.status}: ${message}`);
}

/**
 * A failed connection in words a person can act on: which end's certificate was not accepted,
 * when the error says so, else what happened. The original error stays as the `cause`.
 */
export function transportError(config: KubeConfig, error: unknown, timeoutMs: number): BerthError {
  const code = String((error as { code?: unknown }).code ?? "");
  const name = (error as Error).name;
  const detail = String((error as Error).message ?? error).split("\n")[0]!.replace(/ For more information.*$/, "");
  const at = `the Kubernetes API at ${config.server}`;
  const user = JSON.stringify(config.user);
  const because = (message: string) => Object.assign(new BerthError("unavailable", `${at}: ${message}`), { cause: error });
  if (name === "TimeoutError") return because(`no answer within ${timeoutMs / 1000} s`);
  if (/UNABLE_TO_VERIFY|SELF_SIGNED|CERT_SIGNATURE|CERT_UNTRUSTED|UNABLE_TO_GET_ISSUER/.test(code)) {
    return because(`its certificate is not signed by the kubeconfig's certificate-authority-data (${code})`);
  }
  if (/ALTNAME|HOSTNAME|ERR_TLS_CERT_ALTNAME/.test(code)) return because(`its certificate does not name this host (${code})`);
  if (/CERT_HAS_EXPIRED|CERT_NOT_YET_VALID/.test(code)) return because(`its certificate is not valid now (${code})`);
  // Only a TLS alert says the server refused our certificate; a bare reset or handshake failure could be anything between.
  if (/alert (bad certificate|unknown ca|certificate required|certificate unknown|access denied)|certificate_required|unknown_ca|bad_certificate/i.test(detail)) {
    return because(`the server did not accept the client certificate of user ${user} (${detail})`);
  }
  if (code === "EPROTO") return because(`the TLS handshake failed (EPROTO): the server does not speak TLS there, or ended the handshake (does it accept the client certificate of user ${user}?)`);
  if (code === "ECONNRESET") return because(`the connection was closed before an answer (ECONNRESET); if every call fails so, check that the server accepts the client certificate of user ${user}`);
  if (code === "ECONNREFUSED") return because("connection refused; is k3s running?");
  return because(`${code ? `${code}: ` : ""}${detail}`);
}

export interface KubeClientOptions {
  /** Each request's limit; a hung API server must not hang a deploy. Default 30 s. */
  timeoutMs?: number;
}

/**
 * A small client over fetch for the few calls the k3s runtime makes. The official client
 * (@kubernetes/client-node) is not used: it is built on node-fetch and its own TLS agents, which
 * Bun does not carry out as Node does; fetch's own `tls` option does client certificates.
 */
export function createKubeClient(config: KubeConfig, options: KubeClientOptions = {}): KubeClient {
  const tls = { ca: config.ca, cert: config.cert, key: config.key };
  const timeoutMs = options.timeoutMs ?? 30_000;

  async function call(action: string, method: string, path: string, init: { body?: string; contentType?: string; accept?: string } = {}): Promise<Response> {
    try {
      return await fetch(`${config.server}${path}`, {
        method,
        headers: { accept: init.accept ?? "application/json", ...(init.contentType && { "content-type": init.contentType }) },
        body: init.body,
        tls,
        signal: AbortSignal.timeout(timeoutMs),
      } as RequestInit);
    } catch (error) {
      const failure = transportError(config, error, timeoutMs);
      throw Object.assign(new BerthError(failure.code, `${action}: ${failure.message}`), { cause: error });
    }
  }

  /**
   * A request whose body is read for as long as it lasts: the timeout only waits for the
   * headers (a follow's body stays open for hours), then the caller's signal ends it. Bun's
   * idle timeout (5 min without a byte) is left on: a quiet follow ends and is asked again from
   * its last line, which also finds a connection that died without a word.
   */
  async function stream(action: string, path: string, accept: string, signal?: AbortSignal): Promise<Response> {
    const abort = new AbortController();
    const onAbort = () => abort.abort(signal?.reason);
    if (signal?.aborted) onAbort();
    signal?.addEventListener("abort", onAbort, { once: true });
    const timer = setTimeout(() => abort.abort(new DOMException("no answer in time", "TimeoutError")), timeoutMs);
    try {
      return await fetch(`${config.server}${path}`, { method: "GET", headers: { accept }, tls, signal: abort.signal } as RequestInit);
    } catch (error) {
      signal?.removeEventListener("abort", onAbort);
      // The caller's abort is no failure of the API: the same error as any other abort.
      if (signal?.aborted) throw error;
      const reason = abort.signal.aborted ? abort.signal.reason : error;
      const failure = transportError(config, reason, timeoutMs);
      throw Object.assign(new BerthError(failure.code, `${action}: ${failure.message}`), { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }

  async function json<T>(action: string, response: Response): Promise<T> {
    if (!response.ok) throw await apiError(action, response);
    return (await response.json()) as T;
  }

  return {
    async apply(object, manager = FIELD_MANAGER) {
      const ref = refOf(object);
      const action = `apply ${describeRef(ref)}`;
      const path = `${resourcePath(ref.kind, ref.namespace, ref.name)}?fieldManager=${encodeURIComponent(manager)}&force=true`;
      // JSON is YAML: the same object always gives the same bytes.
      const response = await call(action, "PATCH", path, { body: JSON.stringify(object), contentType: "application/apply-patch+yaml" });
      return json<LiveObject>(action, response);
    },

    async get(ref) {
      const action = `get ${describeRef(ref)}`;
      const response = await call(action, "GET", resourcePath(ref.kind, ref.namespace, ref.name));
      if (response.status === 404) {
        await response.body?.cancel();
        return null;
      }
      return json<LiveObject>(action, response);
    },

    async list(kind, namespace, labels, fields = {}) {
      const selector = labelSelector(labels);
      const fieldSelector = labelSelector(fields);
      const action = `list ${kind} ${namespace ? `in ${namespace} ` : ""}by ${[selector, fieldSelector].filter(Boolean).join(",") || "(all)"}`;
      const params = [selector && `labelSelector=${encodeURIComponent(selector)}`, fieldSelector && `fieldSelector=${encodeURIComponent(fieldSelector)}`].filter(Boolean);
      const query = params.length ? `?${params.join("&")}` : "";
      // A namespace that is not there gets 200 and no items from the API server; a 404 is a path it does not serve, an error.
      const response = await call(action, "GET", `${resourcePath(kind, namespace)}${query}`);
      const answer = await json<{ items?: LiveObject[] }>(action, response);
      // Lists leave out each item's kind and apiVersion; put them back, so items can be applied again as they are.
      return (answer.items ?? []).map((item) => ({ ...item, apiVersion: apiVersionOf(kind), kind }));
    },

    async patch(ref, patch) {
      const action = `patch ${describeRef(ref)}`;
      const response = await call(action, "PATCH", resourcePath(ref.kind, ref.namespace, ref.name), { body: JSON.stringify(patch), contentType: "application/merge-patch+json" });
      return json<LiveObject>(action, response);
    },

    async evict(namespace, pod) {
      const action = `evict pod ${namespace}/${pod}`;
      const body = { apiVersion: "policy/v1", kind: "Eviction", metadata: { name: pod, namespace } };
      const response = await call(action, "POST", `${resourcePath("Pod", namespace, pod)}/eviction`, { body: JSON.stringify(body), contentType: "application/json" });
      if (response.status === 404) {
        await response.body?.cancel();
        return { outcome: "gone" };
      }
      // 429: a disruption budget allows no eviction now; the caller may wait and ask again.
      if (response.status === 429) return { outcome: "blocked", message: (await apiError(action, response)).message.replace(`${action}: `, "") };
      await json(action, response);
      return { outcome: "evicted" };
    },

    async remove(ref) {
      const action = `delete ${describeRef(ref)}`;
      const response = await call(action, "DELETE", resourcePath(ref.kind, ref.namespace, ref.name), {
        body: JSON.stringify({ kind: "DeleteOptions", apiVersion: "v1", propagationPolicy: "Background" }),
        contentType: "application/json",
      });
      if (response.status === 404) {
        await response.body?.cancel();
        return false;
      }
      await json(action, response);
      return true;
    },

    async podLogs(namespace, pod, { tailLines, container, previous }) {
      const action = `logs of pod ${namespace}/${pod}`;
      const query = new URLSearchParams({ tailLines: String(tailLines), ...(container && { container }), ...(previous && { previous: "true" }) });
      const response = await call(action, "GET", `${resourcePath("Pod", namespace, pod)}/log?${query}`, { accept: "text/plain" });
      if (!response.ok) throw await apiError(action, response);
      const text = await response.text();
      return text.split("\n").filter((line, index, all) => line !== "" || index < all.length - 1);
    },

    async followPodLogs(namespace, pod, { container, sinceTime, signal }) {
      const action = `follow logs of pod ${namespace}/${pod}`;
      const query = new URLSearchParams({ follow: "true", timestamps: "true", ...(container && { container }), ...(sinceTime && { sinceTime }) });
      const response = await stream(action, `${resourcePath("Pod", namespace, pod)}/log?${query}`, "text/plain", signal);
      if (!response.ok) throw await apiError(action, response);
      if (!response.body) throw new BerthError("unavailable", `${action}: the API answered ${response.status} with no body`);
      return response.body;
    },
  };
}
