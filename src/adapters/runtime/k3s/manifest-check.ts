// The tests' check of rendered manifests; kubernetes-models is a dev dependency until the k3s
// runtime checks what it applies with it (then it moves to dependencies).
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { CronJob } from "kubernetes-models/batch/v1/CronJob";
import { Job } from "kubernetes-models/batch/v1/Job";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { PersistentVolumeClaim } from "kubernetes-models/v1/PersistentVolumeClaim";
import { Secret } from "kubernetes-models/v1/Secret";
import { Service } from "kubernetes-models/v1/Service";
import { MAX_NAME } from "./names.ts";
import type { KubeObject } from "./object.ts";

/** The Kubernetes schemas (kubernetes-models): types, required fields and enums of each kind the renderer makes. */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  Namespace, Secret, Service, PersistentVolumeClaim, Deployment, Job, CronJob, NetworkPolicy,
};

const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** A CronJob's controller appends 11 characters to name its Jobs, which must stay within 63. */
const MAX_CRONJOB_NAME = 52;
/** Shorter values (a port, "true") are too common to call a leak when they show up elsewhere. */
const MIN_SECRET_LENGTH = 8;
const REQUIRED_LABELS = ["app.kubernetes.io/managed-by", "berth.project", "berth.environment", "berth.release"];

function labelProblems(labels: Record<string, string>): string[] {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(labels)) {
    const slash = key.lastIndexOf("/");
    const [prefix, name] = slash < 0 ? [undefined, key] : [key.slice(0, slash), key.slice(slash + 1)];
    if (name.length > MAX_NAME || !LABEL_NAME.test(name) || (prefix !== undefined && (prefix.length > 253 || !DNS_1123_SUBDOMAIN.test(prefix)))) {
      problems.push(`label key ${JSON.stringify(key)} is not a valid Kubernetes label key`);
    }
    if (typeof value !== "string" || value.length > MAX_NAME || !LABEL_VALUE.test(value)) {
      problems.push(`label ${key}=${JSON.stringify(value)}: a label value has at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`);
    }
  }
  return problems;
}

function nameProblems(object: KubeObject): string[] {
  const { name } = object.metadata;
  const max = object.kind === "CronJob" ? MAX_CRONJOB_NAME : MAX_NAME;
  if (name.length > max) return [`name is ${name.length} characters, Kubernetes takes at most ${max} for a ${object.kind}`];
  // A Service name becomes a DNS name in the cluster: it must start with a letter.
  const rule = object.kind === "Service" ? DNS_1035_LABEL : DNS_1123_LABEL;
  if (!rule.test(name)) return [`name ${JSON.stringify(name)} is not a ${object.kind === "Service" ? "DNS-1035" : "DNS-1123"} label`];
  return [];
}

const isSubset = (selector: Record<string, string>, labels: Record<string, string> | undefined) =>
  Object.entries(selector).every(([key, value]) => labels?.[key] === value);

type Loose = Record<string, any>;

/** Selectors that would match nothing the objects create, and references to Secrets or claims that are not there. */
function referenceProblems(object: Loose, objects: Loose[]): string[] {
  const problems: string[] = [];
  const named = (kind: string, name: string) => objects.some((o) => o.kind === kind && o.metadata.name === name);
  const podTemplate: Loose | undefined =
    object.kind === "CronJob" ? object.spec?.jobTemplate?.spec?.template : object.kind === "Deployment" || object.kind === "Job" ? object.spec?.template : undefined;
  if (object.kind === "Deployment" && !isSubset(object.spec?.selector?.matchLabels ?? {}, podTemplate?.metadata?.labels)) {
    problems.push("spec.selector.matchLabels is not a subset of spec.template.metadata.labels: the Deployment would own no pods");
  }
  if (object.kind === "Service") {
    const selector = object.spec?.selector ?? {};
    if (!objects.some((o) => o.kind === "Deployment" && isSubset(selector, o.spec?.template?.metadata?.labels))) problems.push("spec.selector matches the pods of no Deployment");
  }
  for (const container of podTemplate?.spec?.containers ?? []) {
    for (const source of container.envFrom ?? []) {
      if (source.secretRef && !named("Secret", source.secretRef.name)) problems.push(`container ${container.name} reads Secret ${source.secretRef.name}, which is not rendered`);
    }
  }
  for (const volume of podTemplate?.spec?.volumes ?? []) {
    const claim = volume.persistentVolumeClaim?.claimName;
    if (claim && !named("PersistentVolumeClaim", claim)) problems.push(`volume ${volume.name} mounts claim ${claim}, which is not rendered`);
  }
  return problems;
}

/**
 * Each rendered object against the Kubernetes schemas, then Berth's own rules the schemas do not
 * hold: name and label limits, labels to prune by, selectors that select, and no variable's value
 * outside the Secrets. One line per problem, `Kind/name: what`; empty when all is well.
 */
export function checkManifests(objects: KubeObject[]): string[] {
  const problems: string[] = [];
  const namespace = objects.find((o) => o.kind === "Namespace")?.metadata.name;
  const secretValues = objects
    .filter((o) => o.kind === "Secret")
    .flatMap((o) => Object.values((o.stringData ?? {}) as Record<string, string>))
    .filter((value) => value.length >= MIN_SECRET_LENGTH);
  for (const object of objects) {
    const where = `${object.kind}/${object.metadata?.name}`;
    const say = (problem: string) => problems.push(`${where}: ${problem}`);
    const Model = MODELS[object.kind];
    if (!Model) {
      say("not a kind the renderer makes");
      continue;
    }
    try {
      new Model(structuredClone(object) as never).validate();
    } catch (error) {
      say((error as Error).message);
    }
    nameProblems(object).forEach(say);
    labelProblems(object.metadata.labels ?? {}).forEach(say);
    for (const key of REQUIRED_LABELS) if (!object.metadata.labels?.[key]) say(`label ${key} is missing: the runtime could not find or prune it`);
    if (object.kind !== "Namespace" && object.metadata.namespace !== namespace) say(`namespace ${object.metadata.namespace} is not the environment's namespace ${namespace}`);
    referenceProblems(object, objects).forEach(say);
    if (object.kind !== "Secret") {
      const text = JSON.stringify(object);
      const leaked = secretValues.some((value) => text.includes(value) || text.includes(JSON.stringify(value).slice(1, -1)));
      if (leaked) say("carries the value of a variable, which belongs in the block's Secret only");
    }
  }
  return problems;
}
