// A small Kubernetes API server for tests: real HTTPS on loopback that requires a client
// certificate (as k3s's does), speaking the paths the k3s runtime calls. It records every
// request, keeps applied objects in memory, answers get/list/delete, and makes up the status
// the controllers would write (rollouts, pods, jobs) from scripts a test sets. Nodes and pods
// placed on them are seeded by a test; cordon (merge patch) and evictions act on them. Pod logs
// are what a test sets per Deployment or Job; a follow stays open for lines a test appends later.
import * as x509 from "@peculiar/x509";
import { createHash } from "node:crypto";
import { parse } from "yaml";
import type { KubeConfig } from "../../src/adapters/runtime/k3s/kubeconfig.ts";
import { kubeconfigYaml } from "./kubeconfig-yaml.ts";

const ALG = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
const CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

export interface KeyPair {
  cert: string;
  key: string;
}

/** A CA that signs leaves: k3s has one for its server certificate and one for client certificates. */
export async function testCa(name: string) {
  const now = Date.now();
  const keys = await crypto.subtle.generateKey(ALG, true, ["sign", "verify"]);
  const ca = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: "01",
      name: `CN=${name}`,
      notBefore: new Date(now - 60_000),
      notAfter: new Date(now + 86_400_000),
      keys,
      signingAlgorithm: ALG,
      extensions: [new x509.BasicConstraintsExtension(true, undefined, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.digitalSignature, true)],
    },
    crypto,
  );
  let serial = 2;
  return {
    pem: ca.toString("pem"),
    /** A leaf: a server certificate for 127.0.0.1, or a client certificate (CN = user, O = group). */
    async leaf(subject: string, use: "server" | "client"): Promise<KeyPair> {
      const leafKeys = await crypto.subtle.generateKey(ALG, true, ["sign", "verify"]);
      const extensions: x509.Extension[] = [new x509.ExtendedKeyUsageExtension([use === "server" ? SERVER_AUTH : CLIENT_AUTH])];
      if (use === "server") extensions.push(new x509.SubjectAlternativeNameExtension([{ type: "ip", value: "127.0.0.1" }, { type: "dns", value: "localhost" }]));
      const cert = await x509.X509CertificateGenerator.create(
        {
          serialNumber: (serial++).toString(16).padStart(2, "0"),
          subject: subject,
          issuer: ca.subject,
          notBefore: new Date(now - 60_000),
          notAfter: new Date(now + 3_600_000),
          publicKey: leafKeys.publicKey,
          signingKey: keys.privateKey,
          signingAlgorithm: ALG,
          extensions,
        },
        crypto,
      );
      return { cert: cert.toString("pem"), key: x509.PemConverter.encode(await crypto.subtle.exportKey("pkcs8", leafKeys.privateKey), "PRIVATE KEY") };
    },
  };
}

/** The certificates of one test cluster: k3s's layout (a server CA and a client CA) and an admin user. */
export async function testPki() {
  const serverCa = await testCa("k3s-server-ca");
  const clientCa = await testCa("k3s-client-ca");
  return {
    serverCa,
    clientCa,
    server: await serverCa.leaf("CN=k3s", "server"),
    admin: await clientCa.leaf("O=system:masters, CN=system:admin", "client"),
  };
}

export type Pki = Awaited<ReturnType<typeof testPki>>;

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  contentType: string | null;
  body: string;
}

type Obj = { apiVersion: string; kind: string; metadata: Record<string, any>; spec?: any; status?: any; [field: string]: any };

/** One observation of a Deployment's rollout, as its controller and kubelets would report it. */
export interface RolloutStep {
  /** Pods ready; default: all wanted. */
  ready?: number;
  /** Pods of the newest template; default: all wanted. */
  updated?: number;
  /** The controller has not seen the newest generation yet. */
  stale?: boolean;
  /** A container waiting, e.g. CrashLoopBackOff or ImagePullBackOff. */
  waiting?: string;
  /** A condition the controller writes, e.g. ReplicaFailure with the admission's refusal. */
  condition?: { type: string; status: string; reason: string; message: string };
  restarts?: number;
}

/**
 * A Job's state; `{ waiting }`: running, its pod's container waiting with that reason (e.g.
 * ImagePullBackOff); `{ exit }`: its container ended with that code (0: succeeded, else failed);
 * "deadline": failed by its activeDeadlineSeconds, its pod deleted by the controller;
 * "created": not seen by the controller yet (no status, no pod).
 */
export type JobStep = "created" | "running" | "succeeded" | "failed" | "deadline" | { waiting: string } | { exit: number };

/** What a step means for the Job and its pod's container: whether it ended, how, and with which exit code. */
function jobOutcome(s: JobStep): { ended: boolean; ok: boolean; exitCode?: number; waiting?: string } {
  if (s === "running" || s === "created") return { ended: false, ok: false };
  if (s === "succeeded") return { ended: true, ok: true, exitCode: 0 };
  if (s === "failed") return { ended: true, ok: false, exitCode: 1 };
  if (s === "deadline") return { ended: true, ok: false };
  if ("waiting" in s) return { ended: false, ok: false, waiting: s.waiting };
  return { ended: true, ok: s.exit === 0, exitCode: s.exit };
}

const KINDS: Record<string, { kind: string; namespaced: boolean }> = {
  "/api/v1/namespaces": { kind: "Namespace", namespaced: false },
  "/api/v1/nodes": { kind: "Node", namespaced: false },
  "/api/v1/secrets": { kind: "Secret", namespaced: true },
  "/api/v1/services": { kind: "Service", namespaced: true },
  "/api/v1/persistentvolumeclaims": { kind: "PersistentVolumeClaim", namespaced: true },
  "/api/v1/pods": { kind: "Pod", namespaced: true },
  "/apis/apps/v1/deployments": { kind: "Deployment", namespaced: true },
  "/apis/batch/v1/jobs": { kind: "Job", namespaced: true },
  "/apis/batch/v1/cronjobs": { kind: "CronJob", namespaced: true },
  "/apis/networking.k8s.io/v1/networkpolicies": { kind: "NetworkPolicy", namespaced: true },
};

/** prefix, namespace?, plural, name?, sub? from a path like /apis/apps/v1/namespaces/x/deployments/web. */
function route(pathname: string) {
  const m = /^(\/api\/v1|\/apis\/[^/]+\/v1)(?:\/namespaces\/([^/]+)(?=\/))?\/([a-z]+)(?:\/([^/]+))?(?:\/([a-z]+))?$/.exec(pathname);
  if (!m) return null;
  const [, prefix, namespace, plural, name, sub] = m;
  const resource = KINDS[`${prefix}/${plural}`];
  if (!resource) return null;
  return { kind: resource.kind, namespaced: resource.namespaced, namespace: namespace && decodeURIComponent(namespace), name: name && decodeURIComponent(name), sub };
}

const status = (code: number, reason: string, message: string) =>
  Response.json({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code }, { status: code });

const matches = (labels: Record<string, string> | undefined, selector: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels?.[k] === v);

/** A field selector's path, e.g. `spec.nodeName`, read from an object. */
const field = (object: Obj, path: string): unknown => path.split(".").reduce<any>((value, key) => value?.[key], object);

function parseSelector(text: string | null): Record<string, string> {
  if (!text) return {};
  return Object.fromEntries(text.split(",").map((pair) => pair.split("=") as [string, string]));
}

const isPlain = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** A JSON merge patch (RFC 7386): mappings merged, a null removes the field, anything else replaces. */
function mergePatch(base: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = isPlain(v) ? mergePatch(isPlain(out[k]) ? (out[k] as Record<string, unknown>) : {}, v) : v;
  }
  return out;
}

/** `over` laid on `base`, mapping by mapping (lists replaced whole). */
function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isPlain(v) && isPlain(out[k]) ? merge(out[k] as Record<string, unknown>, v) : v;
  return out;
}

/** `other` without the fields `taken` sets: an apply with force takes them over from their other managers. */
function without(other: Record<string, unknown>, taken: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(other)) {
    if (!(k in taken)) out[k] = v;
    else if (isPlain(v) && isPlain(taken[k])) out[k] = without(v, taken[k] as Record<string, unknown>);
  }
  return out;
}

/** A pod's uid as the API makes them (a UUID), stable for the same pod so lists agree with each other. */
const podUid = (namespace: string, name: string) => {
  const hex = createHash("sha256").update(`${namespace}/${name}`).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
};

/** One line a pod wrote: its time (RFC 3339, nine fraction digits, so text order is time order) and text. */
interface LogEntry {
  time: string;
  text: string;
}

/** A time as the kubelet writes it with `timestamps=true` (RFC3339Nano: trailing fraction zeros dropped). */
const kubeletTime = (time: string) => time.replace(/\.?0+Z$/, "Z");

/** "2026-12-02T10:00:00Z" (the API's sinceTime) in the nine-digit form entries keep. */
const nineDigits = (time: string) => {
  const m = /^(.{19})(?:\.(\d+))?Z$/.exec(time);
  return m ? `${m[1]}.${(m[2] ?? "").padEnd(9, "0")}Z` : null;
};

const shortHash = (value: unknown) => createHash("sha256").update(JSON.stringify(value)).digest("hex").slice(0, 8);

/** Starts the server; `pki` lets a test make certificates the server does or does not trust. */
export async function startKubeApi(options: { pki?: Pki } = {}) {
  const pki = options.pki ?? (await testPki());
  const requests: RecordedRequest[] = [];
  const objects = new Map<string, Obj>();
  const rollouts = new Map<string, RolloutStep[]>();
  const jobs = new Map<string, JobStep[]>();
  const logs = new Map<string, LogEntry[]>();
  /** Open follows of pod logs, per `namespace/owner`: an append writes to them, an end closes them. */
  const followers = new Map<string, Set<{ write: (entry: LogEntry) => void; close: () => void }>>();
  /** Each line's time, from the clock, one nanosecond after the last at least. */
  let lastLogNs = 0n;
  const nextLogTime = () => {
    const now = BigInt(Date.now()) * 1_000_000n;
    lastLogNs = now > lastLogNs ? now : lastLogNs + 1n;
    const ms = Number(lastLogNs / 1_000_000n);
    return `${new Date(ms).toISOString().slice(0, 23)}${String(lastLogNs % 1_000_000n).padStart(6, "0")}Z`;
  };
  /** When each pod the controllers run was first shown: its creationTimestamp. */
  const podCreated = new Map<string, string>();
  /** Per seeded pod: the status codes its next evictions get (the last stays), and how many lists still show it once evicted. */
  const evictions = new Map<string, { codes: number[]; linger: number }>();
  const lingering = new Map<string, number>();
  /** Per object: what berth applied last, and what other field managers applied. */
  const berthFields = new Map<string, Obj>();
  const otherFields = new Map<string, Record<string, unknown>>();
  let nextIp = 10;
  let nextUid = 1;

  const key = (kind: string, namespace: string | undefined, name: string) => `${kind}/${namespace ?? ""}/${name}`;

  /** Per Deployment: its newest template as last listed, and its older templates whose pods still run. */
  const newest = new Map<string, { template: Obj; step: RolloutStep; count: number }>();
  const oldTemplates = new Map<string, Map<string, { template: Obj; step: RolloutStep; count: number }>>();

  /** Steps last shown by a read of their object: the pods show the same step until the next read. */
  const shown = new Map<string, unknown>();
  /** Advances a script one step per read of its object; its last step stays. */
  const step = <T>(scripts: Map<string, T[]>, id: string, fallback: T, advance: boolean): T => {
    const steps = scripts.get(id);
    if (!steps || steps.length === 0) return fallback;
    if (!advance) return (shown.get(id) as T | undefined) ?? steps[0]!;
    const current = steps[0]!;
    if (steps.length > 1) steps.shift();
    shown.set(id, current);
    return current;
  };

  function deploymentStatus(object: Obj, advance: boolean): Obj {
    const wanted = object.spec?.replicas ?? 1;
    const s = step(rollouts, key("Deployment", object.metadata.namespace, object.metadata.name), {} as RolloutStep, advance);
    const ready = s.ready ?? (s.waiting ? 0 : wanted);
    return {
      ...object,
      status: {
        observedGeneration: s.stale ? object.metadata.generation - 1 : object.metadata.generation,
        replicas: wanted,
        updatedReplicas: s.updated ?? wanted,
        readyReplicas: ready,
        availableReplicas: ready,
        ...(s.condition && { conditions: [s.condition] }),
      },
    };
  }

  function jobStatus(object: Obj, advance: boolean): Obj {
    if (object.spec?.suspend) return { ...object, status: {} };
    const { namespace, name } = object.metadata;
    const s = step(jobs, key("Job", namespace, name), "succeeded" as JobStep, advance);
    const outcome = jobOutcome(s);
    const status = s === "created"
      ? {}
      : !outcome.ended
        ? { active: 1 }
      : outcome.ok
          ? { succeeded: 1, conditions: [{ type: "Complete", status: "True" }] }
          : s === "deadline"
            ? { failed: 1, conditions: [{ type: "Failed", status: "True", reason: "DeadlineExceeded", message: "Job was active longer than specified deadline" }] }
            : { failed: 1, conditions: [{ type: "Failed", status: "True", reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit" }] };
    // The container has ended: the follows of its log end, as the kubelet's do.
    if (outcome.ended) for (const follower of [...(followers.get(`${namespace}/${name}`) ?? [])]) follower.close();
    return { ...object, status };
  }

  /**
   * The pods of a Deployment's template in the state a step gives them; a pod copies its
   * template's labels, annotations and spec, as the ReplicaSet controller's do.
   */
  function templatePods(deployment: Obj, template: Obj, s: RolloutStep, count: number): Obj[] {
    const { name, namespace } = deployment.metadata;
    const hash = shortHash(template);
    return Array.from({ length: count }, (_, i) => {
      const ready = i < (s.ready ?? (s.waiting ? 0 : count));
      const podName = `${name}-${hash}-${i}`;
      return {
        apiVersion: "v1",
        kind: "Pod",
        metadata: {
          name: podName,
          namespace,
          uid: podUid(namespace, podName),
          creationTimestamp: createdAt(namespace, podName),
          labels: { ...template.metadata?.labels, "pod-template-hash": hash },
          ...(template.metadata?.annotations && { annotations: template.metadata.annotations }),
          ownerReferences: [{ kind: "ReplicaSet", name: `${name}-${hash}`, deployment: name }],
        },
        spec: template.spec,
        status: {
          phase: "Running",
          containerStatuses: (template.spec.containers as { name: string; image: string }[]).map((c) => ({
            name: c.name,
            image: c.image,
            ready,
            restartCount: s.restarts ?? 0,
            state: s.waiting && !ready ? { waiting: { reason: s.waiting, message: `${s.waiting} for ${c.name}` } } : { running: { startedAt: "2026-01-01T00:00:00Z" } },
          })),
        },
      };
    });
  }

  function createdAt(namespace: string, pod: string): string {
    const id = `${namespace}/${pod}`;
    if (!podCreated.has(id)) podCreated.set(id, `${new Date().toISOString().slice(0, 19)}Z`);
    return podCreated.get(id)!;
  }

  /** A step in which the newest template is fully rolled out: the controller has scaled the old ReplicaSets to 0. */
  const complete = (s: RolloutStep, wanted: number) => !s.stale && !s.waiting && !s.condition && (s.ready ?? wanted) === wanted && (s.updated ?? wanted) === wanted;

  /** The pods the controllers would run now, from the current step of each script. */
  function pods(namespace: string): Obj[] {
    const out: Obj[] = [];
    for (const object of objects.values()) {
      if (object.metadata.namespace !== namespace) continue;
      if (object.kind === "Deployment") {
        const wanted = object.spec?.replicas ?? 1;
        const id = key("Deployment", namespace, object.metadata.name);
        const s = step(rollouts, id, {} as RolloutStep, false);
        const template = object.spec.template;
        // Older templates' pods (old ReplicaSets) keep running, in the state they were last seen in, until the newest is rolled out.
        const templates = oldTemplates.get(id) ?? new Map<string, { template: Obj; step: RolloutStep; count: number }>();
        oldTemplates.set(id, templates);
        templates.delete(shortHash(template));
        if (complete(s, wanted)) templates.clear();
        for (const old of templates.values()) out.push(...templatePods(object, old.template, old.step, old.count));
        out.push(...templatePods(object, template, s, wanted));
        newest.set(id, { template, step: s, count: wanted });
      }
      if (object.kind === "Job" && !object.spec?.suspend) {
        const s = step(jobs, key("Job", namespace, object.metadata.name), "succeeded" as JobStep, false);
        const outcome = jobOutcome(s);
        // Past its deadline, the controller deletes the Job's pod; before it saw the Job, it made none.
        if (s === "deadline" || s === "created") continue;
        const state = (container: string) =>
          outcome.waiting
            ? { waiting: { reason: outcome.waiting, message: `${outcome.waiting} for ${container}` } }
            : outcome.ended
              ? { terminated: { exitCode: outcome.exitCode, reason: outcome.ok ? "Completed" : "Error" } }
              : { running: { startedAt: "2026-01-01T00:00:00Z" } };
        out.push({
          apiVersion: "v1",
          kind: "Pod",
          metadata: { name: `${object.metadata.name}-pod`, namespace, uid: podUid(namespace, `${object.metadata.name}-pod`), creationTimestamp: createdAt(namespace, `${object.metadata.name}-pod`), labels: { ...object.spec.template.metadata?.labels, "job-name": object.metadata.name, "batch.kubernetes.io/job-name": object.metadata.name }, ownerReferences: [{ kind: "Job", name: object.metadata.name }] },
          status: {
            phase: outcome.ended ? (outcome.ok ? "Succeeded" : "Failed") : outcome.waiting ? "Pending" : "Running",
            containerStatuses: (object.spec.template.spec.containers as { name: string; image: string }[]).map((c) => ({
              name: c.name,
              image: c.image,
              ready: !outcome.ended && !outcome.waiting,
              restartCount: 0,
              state: state(c.name),
            })),
          },
        });
      }
    }
    return out;
  }

  /** The pods the controllers run in every namespace that has a Deployment or a Job. */
  function allPods(): Obj[] {
    const namespaces = new Set([...objects.values()].filter((o) => o.kind === "Deployment" || o.kind === "Job").map((o) => o.metadata.namespace as string));
    return [...namespaces].flatMap((namespace) => pods(namespace));
  }

  /**
   * A pod's log: its owner's lines (with their times when `timestamps=true`, from `sinceTime` on,
   * the last `tailLines`). With `follow=true` the answer stays open while the pod's container runs,
   * and lines appended later are written to it; a pod not running gets what there is, then the end.
   */
  function podLog(namespace: string, pod: Obj, url: URL): Response {
    const owner = pod.metadata.ownerReferences[0];
    const id = `${namespace}/${owner.deployment ?? owner.name}`;
    const timestamps = url.searchParams.get("timestamps") === "true";
    const since = url.searchParams.get("sinceTime");
    const from = since === null ? "" : nineDigits(since);
    if (from === null) return status(400, "BadRequest", `sinceTime: invalid value ${JSON.stringify(since)}`);
    const format = (entry: LogEntry) => `${timestamps ? `${kubeletTime(entry.time)} ` : ""}${entry.text}\n`;
    const entries = (logs.get(id) ?? []).filter((entry) => entry.time >= from);
    const tail = Number(url.searchParams.get("tailLines") ?? entries.length);
    const text = entries.slice(-tail).map(format).join("");
    const running = pod.status?.phase === "Running" && (pod.status?.containerStatuses ?? []).some((c: { state?: { running?: unknown } }) => c.state?.running);
    if (url.searchParams.get("follow") !== "true" || !running) return new Response(text, { headers: { "content-type": "text/plain" } });
    const encoder = new TextEncoder();
    let follower: { write: (entry: LogEntry) => void; close: () => void };
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode(text));
        follower = {
          write: (entry) => controller.enqueue(encoder.encode(format(entry))),
          close: () => {
            followers.get(id)?.delete(follower);
            controller.close();
          },
        };
        followers.set(id, (followers.get(id) ?? new Set()).add(follower));
      },
      cancel() {
        followers.get(id)?.delete(follower);
      },
    });
    return new Response(body, { headers: { "content-type": "text/plain" } });
  }

  const withStatus = (object: Obj, advance: boolean) => (object.kind === "Deployment" ? deploymentStatus(object, advance) : object.kind === "Job" ? jobStatus(object, advance) : object);

  /**
   * Server-side apply, simplified: berth's fields are what it applied last; another manager's
   * fields stay on top, except those berth sends again (it applies with force and takes them).
   */
  function apply(kind: string, namespace: string | undefined, name: string, body: string, manager: string): Response {
    let applied: Obj;
    try {
      applied = parse(body) as Obj;
    } catch {
      return status(400, "BadRequest", "the body is not YAML");
    }
    if (applied.kind !== kind || applied.metadata?.name !== name) return status(400, "BadRequest", `the body (${applied.kind} ${applied.metadata?.name}) does not match the path (${kind} ${name})`);
    if ((applied.metadata.namespace ?? undefined) !== namespace) return status(400, "BadRequest", "the body's namespace does not match the path");
    if (namespace !== undefined && !objects.has(key("Namespace", undefined, namespace))) return status(404, "NotFound", `namespaces "${namespace}" not found`);
    const id = key(kind, namespace, name);
    const old = objects.get(id);
    if (manager === "berth") {
      berthFields.set(id, applied);
      // force=true: what berth sends is berth's again, whoever set it since (a stop's replicas: 0).
      const other = otherFields.get(id);
      if (other) otherFields.set(id, without(other, applied));
    }
    else if (!old) return status(404, "NotFound", `${kind.toLowerCase()}s "${name}" not found`);
    else otherFields.set(id, merge(otherFields.get(id) ?? {}, applied));
    const merged = merge(berthFields.get(id) ?? old!, otherFields.get(id) ?? {}) as Obj;
    if (old && kind === "Secret" && old.immutable && JSON.stringify(old.stringData) !== JSON.stringify(merged.stringData)) {
      return status(422, "Invalid", `Secret "${name}" is invalid: data: Forbidden: field is immutable when \`immutable\` is set`);
    }
    if (old && kind === "Job" && JSON.stringify(old.spec.template) !== JSON.stringify(merged.spec.template)) {
      return status(422, "Invalid", `Job.batch "${name}" is invalid: spec.template: Invalid value: field is immutable`);
    }
    const specChanged = !old || JSON.stringify(old.spec) !== JSON.stringify(kind === "Service" ? { ...merged.spec, clusterIP: old.spec.clusterIP } : merged.spec);
    const stored: Obj = {
      ...merged,
      metadata: {
        ...merged.metadata,
        uid: old?.metadata.uid ?? `uid-${nextUid++}`,
        generation: (old?.metadata.generation ?? 0) + (specChanged ? 1 : 0),
        resourceVersion: String(nextUid++),
      },
    };
    if (kind === "Service") stored.spec = { ...merged.spec, clusterIP: old?.spec.clusterIP ?? merged.spec.clusterIP ?? `10.43.0.${nextIp++}` };
    const last = newest.get(id);
    if (kind === "Deployment" && last && shortHash(last.template) !== shortHash(stored.spec.template)) {
      const templates = oldTemplates.get(id) ?? new Map();
      templates.set(shortHash(last.template), last);
      oldTemplates.set(id, templates);
    }
    objects.set(id, stored);
    return Response.json(withStatus(stored, false), { status: old ? 200 : 201 });
  }

  function remove(kind: string, namespace: string | undefined, name: string): Response {
    const id = key(kind, namespace, name);
    const old = objects.get(id);
    if (!old) return status(404, "NotFound", `${kind.toLowerCase()}s "${name}" not found`);
    objects.delete(id);
    newest.delete(id);
    oldTemplates.delete(id);
    berthFields.delete(id);
    otherFields.delete(id);
    // A namespace takes everything in it along.
    if (kind === "Namespace") for (const [other, object] of objects) if (object.metadata.namespace === name) objects.delete(other);
    // Their pods go with them, and with the pods the follows of their logs.
    for (const [owner, open] of followers) {
      if (kind === "Namespace" ? owner.startsWith(`${name}/`) : (kind === "Deployment" || kind === "Job") && owner === `${namespace}/${name}`) for (const follower of [...open]) follower.close();
    }
    return Response.json({ kind: "Status", apiVersion: "v1", status: "Success", details: { name, kind } });
  }

  /** Pods a test seeded (placed on nodes), in a namespace or everywhere; an evicted one lingers for the lists its script says. */
  function seededPods(namespace: string | undefined): Obj[] {
    const out: Obj[] = [];
    for (const [id, object] of objects) {
      if (object.kind !== "Pod" || (namespace !== undefined && object.metadata.namespace !== namespace)) continue;
      const left = lingering.get(id);
      if (left !== undefined) {
        if (left <= 0) {
          objects.delete(id);
          lingering.delete(id);
          continue;
        }
        lingering.set(id, left - 1);
      }
      out.push(object);
    }
    return out;
  }

  /** The Eviction subresource: the pod's script decides (201 by default); an evicted pod goes, after lingering if scripted. */
  function evict(namespace: string, name: string): Response {
    const id = key("Pod", namespace, name);
    if (!objects.has(id) || lingering.has(id)) return status(404, "NotFound", `pods "${name}" not found`);
    const script = evictions.get(id);
    const code = script ? (script.codes.length > 1 ? script.codes.shift()! : script.codes[0]!) : 201;
    if (code === 429) return status(429, "TooManyRequests", "Cannot evict pod as it would violate the pod's disruption budget.");
    if (code >= 400) return status(code, "InternalError", `eviction of ${name} failed`);
    if (script?.linger) lingering.set(id, script.linger);
    else objects.delete(id);
    return Response.json({ kind: "Status", apiVersion: "v1", status: "Success" }, { status: 201 });
  }

  /** A JSON merge patch of a stored object (cordoning a Node). */
  function patch(kind: string, namespace: string | undefined, name: string, body: string): Response {
    const id = key(kind, namespace, name);
    const old = objects.get(id);
    if (!old) return status(404, "NotFound", `${kind.toLowerCase()}s "${name}" not found`);
    const patched = mergePatch(old, JSON.parse(body)) as Obj;
    patched.metadata = { ...patched.metadata, resourceVersion: String(nextUid++) };
    objects.set(id, patched);
    return Response.json(patched);
  }

  function handle(request: Request, url: URL, body: string): Response {
    const r = route(url.pathname);
    if (!r) return status(404, "NotFound", `the server could not find the requested resource (${url.pathname})`);
    const { kind, namespace, name, sub } = r;
    if (kind === "Pod" && sub === "eviction" && namespace && name) {
      if (request.method !== "POST") return status(405, "MethodNotAllowed", `${request.method} ${url.pathname}`);
      const eviction = JSON.parse(body || "{}") as Obj;
      if (eviction.kind !== "Eviction" || eviction.metadata?.name !== name) return status(400, "BadRequest", "the body is not an Eviction of this pod");
      return evict(namespace, name);
    }
    if (kind === "Pod" && sub === "log" && namespace && name) {
      const pod = pods(namespace).find((p) => p.metadata.name === name);
      if (!pod) return status(404, "NotFound", `pods "${name}" not found`);
      return podLog(namespace, pod, url);
    }
    if (request.method === "PATCH" && name && request.headers.get("content-type") === "application/merge-patch+json") return patch(kind, namespace, name, body);
    if (request.method === "PATCH" && name) {
      if (request.headers.get("content-type") !== "application/apply-patch+yaml") return status(415, "UnsupportedMediaType", `the body of a PATCH here must be application/apply-patch+yaml`);
      if (!url.searchParams.get("fieldManager")) return status(422, "Invalid", "fieldManager: Required value: is required for apply patch");
      return apply(kind, namespace, name, body, url.searchParams.get("fieldManager")!);
    }
    if (request.method === "DELETE" && name) return remove(kind, namespace, name);
    if (request.method === "GET" && name) {
      if (kind === "Pod") {
        const pod = namespace ? [...pods(namespace), ...seededPods(namespace)].find((p) => p.metadata.name === name) : undefined;
        return pod ? Response.json(pod) : status(404, "NotFound", `pods "${name}" not found`);
      }
      const object = objects.get(key(kind, namespace, name));
      return object ? Response.json(withStatus(object, true)) : status(404, "NotFound", `${kind.toLowerCase()}s "${name}" not found`);
    }
    if (request.method === "GET") {
      const selector = parseSelector(url.searchParams.get("labelSelector"));
      const fields = parseSelector(url.searchParams.get("fieldSelector"));
      const source = (
        kind === "Pod"
          ? [...(namespace ? pods(namespace) : allPods()), ...seededPods(namespace)]
          : [...objects.values()].filter((o) => o.kind === kind && (namespace === undefined || o.metadata.namespace === namespace))
      ).filter((o) => Object.entries(fields).every(([path, value]) => String(field(o, path) ?? "") === value));
      // As the API does, list items leave out kind and apiVersion.
      const items = source.filter((o) => matches(o.metadata.labels, selector)).map((o) => {
        const { kind: _kind, apiVersion: _version, ...rest } = withStatus(o, false);
        return rest;
      });
      return Response.json({ kind: `${kind}List`, apiVersion: "v1", metadata: {}, items });
    }
    return status(405, "MethodNotAllowed", `${request.method} ${url.pathname}`);
  }

  /** Requests a test makes the API refuse, as a quota, an admission or a failing etcd would. */
  const refusals: { method: string; path: string; code: number; reason: string; message: string }[] = [];

  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    tls: { cert: pki.server.cert, key: pki.server.key, ca: pki.clientCa.pem, requestCert: true, rejectUnauthorized: true },
    async fetch(request) {
      const url = new URL(request.url);
      const body = await request.text();
      requests.push({ method: request.method, path: url.pathname, query: Object.fromEntries(url.searchParams), contentType: request.headers.get("content-type"), body });
      const refusal = refusals.find((r) => r.method === request.method && r.path === url.pathname);
      if (refusal) return status(refusal.code, refusal.reason, refusal.message);
      return handle(request, url, body);
    },
  });

  const url = `https://127.0.0.1:${server.port}`;
  const config: KubeConfig = { server: url, ca: pki.serverCa.pem, cert: pki.admin.cert, key: pki.admin.key, context: "default", user: "default" };
  return {
    url,
    pki,
    /** A kubeconfig for the admin user, as k3s writes one. */
    config,
    kubeconfig: kubeconfigYaml(config),
    requests,
    /** Requests that change something (apply, delete), "PATCH /path" style. */
    writes: () => requests.filter((r) => r.method !== "GET").map((r) => `${r.method} ${r.path}`),
    object: (kind: string, namespace: string | undefined, name: string) => objects.get(key(kind, namespace, name)),
    objects: (kind?: string) => [...objects.values()].filter((o) => kind === undefined || o.kind === kind),
    /** What the next reads of a Deployment show, one step per read; the last step stays. */
    scriptRollout(namespace: string, name: string, steps: RolloutStep[]) {
      rollouts.set(key("Deployment", namespace, name), [...steps]);
      shown.delete(key("Deployment", namespace, name));
    },
    scriptJob(namespace: string, name: string, steps: JobStep[]) {
      jobs.set(key("Job", namespace, name), [...steps]);
      shown.delete(key("Job", namespace, name));
    },
    /** What the pods of a Deployment or Job wrote (each line timed now); open follows are not sent them. */
    setLogs: (namespace: string, owner: string, lines: string[]) => void logs.set(`${namespace}/${owner}`, lines.map((text) => ({ time: nextLogTime(), text }))),
    /** Lines the pods of a Deployment or Job write now: kept, and written to every open follow of their log. */
    appendLogs(namespace: string, owner: string, lines: string[]) {
      const id = `${namespace}/${owner}`;
      const entries = logs.get(id) ?? [];
      logs.set(id, entries);
      for (const text of lines) {
        const entry = { time: nextLogTime(), text };
        entries.push(entry);
        for (const follower of followers.get(id) ?? []) follower.write(entry);
      }
    },
    /** Ends every open follow of a Deployment's or Job's pod logs (the container stopped); how many there were. */
    endLogFollows(namespace: string, owner: string): number {
      const open = [...(followers.get(`${namespace}/${owner}`) ?? [])];
      for (const follower of open) follower.close();
      return open.length;
    },
    /** How many follows of a Deployment's or Job's pod logs are open now. */
    openLogFollows: (namespace: string, owner: string) => followers.get(`${namespace}/${owner}`)?.size ?? 0,
    /** Every later `method path` request is answered with this Status (recorded, not carried out). */
    refuse(method: string, path: string, code: number, reason: string, message: string) {
      refusals.push({ method, path, code, reason, message });
    },
    /** The status codes the next evictions of a seeded pod get (429: a disruption budget refuses; the last stays), and how many pod lists still show it once evicted. */
    scriptEviction(namespace: string, pod: string, codes: number[], linger = 0) {
      evictions.set(key("Pod", namespace, pod), { codes: [...codes], linger });
    },
    /** Puts an object in as another tool would have (no request recorded); a Pod with `spec.nodeName` runs on that node. */
    seed(object: Obj) {
      objects.set(key(object.kind, object.metadata.namespace, object.metadata.name), { ...object, metadata: { generation: 1, uid: `uid-${nextUid++}`, ...object.metadata } });
    },
    stop: () => server.stop(true),
  };
}

export type KubeApi = Awaited<ReturnType<typeof startKubeApi>>;
