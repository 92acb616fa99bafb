import type Dockerode from "dockerode";
import type { Upstream } from "../../../ports/runtime.ts";

/** Label keys on every container, network and volume Berth creates. */
export const LABEL = {
  managed: "berth.managed",
  project: "berth.project",
  env: "berth.env",
  block: "berth.block",
  release: "berth.release",
  hash: "berth.hash",
  replica: "berth.replica",
  /** Wanted replica count of the container's plan, so status can say "1/2 ready" from the engine alone. */
  replicas: "berth.replicas",
  volumePath: "berth.volume.path",
  /** On a job run's container: the run's id. Such containers are never replicas of a block. */
  jobRun: "berth.job-run",
} as const;

export type Labels = Record<string, string>;

/** Labels that make an object Berth's and place it in one environment. */
export const envLabels = (project: string, env: string): Labels => ({
  [LABEL.managed]: "true",
  [LABEL.project]: project,
  [LABEL.env]: env,
});

/** Engine-side label filter: only objects Berth manages for this environment come back. */
export function envFilter(project: string, env: string, extra: Labels = {}): { label: string[] } {
  return { label: Object.entries({ ...envLabels(project, env), ...extra }).map(([key, value]) => `${key}=${value}`) };
}

/** True when `labels` say the object is Berth's and belongs to this environment. */
export function ownedBy(labels: Labels | null | undefined, project: string, env: string): boolean {
  return labels?.[LABEL.managed] === "true" && labels[LABEL.project] === project && labels[LABEL.env] === env;
}

export const networkName = (project: string, env: string) => `berth-${project}-${env}`;

/** The random tail keeps names unique while old and new replicas of one release run side by side. */
export function containerName(project: string, env: string, block: string, release: number, replica: number, random = randomTail()): string {
  return `berth-${project}-${env}-${block}-${release}-${replica}-${random}`;
}

const randomTail = () => crypto.randomUUID().replaceAll("-", "").slice(0, 6);

/** "/var/lib/postgresql/data" → "var-lib-postgresql-data": volume names allow [a-zA-Z0-9_.-] only. */
export function sanitisePath(path: string): string {
  const cleaned = path
    .split("/")
    .filter(Boolean)
    .map((part) => part.replace(/[^A-Za-z0-9_.]+/g, "_"))
    .join("-");
  return cleaned || "root";
}

export const volumeName = (project: string, env: string, block: string, path: string) =>
  `berth-${project}-${env}-${block}-${sanitisePath(path)}`;

/** One container of a block, as the engine reports it; nothing here comes from memory. */
export interface Replica {
  id: string;
  name: string;
  block: string;
  release: number;
  hash: string;
  index: number;
  wanted: number;
  /** Engine state: created, running, restarting, paused, exited, dead. */
  state: string;
  image: string;
  /** Seconds since the epoch. */
  created: number;
  /** The port published on 127.0.0.1, when the block has one. */
  upstream: Upstream | null;
  /** From an inspect (the list call lacks them): restarts the engine made, and the last start in ms. */
  restarts?: number;
  startedAt?: number;
}

export function toReplica(info: Dockerode.ContainerInfo): Replica {
  const labels = info.Labels ?? {};
  const published = (info.Ports ?? []).find((port) => port.IP === "127.0.0.1" && port.PublicPort);
  return {
    id: info.Id,
    name: (info.Names?.[0] ?? "").replace(/^\//, ""),
    block: labels[LABEL.block] ?? "",
    release: Number(labels[LABEL.release] ?? 0),
    hash: labels[LABEL.hash] ?? "",
    index: Number(labels[LABEL.replica] ?? 0),
    wanted: Number(labels[LABEL.replicas] ?? 0),
    state: info.State,
    image: info.Image,
    created: info.Created,
    upstream: published ? { host: "127.0.0.1", port: published.PublicPort } : null,
  };
}

/** Replicas grouped by block, in first-seen order. */
export function byBlock(replicas: Replica[]): Map<string, Replica[]> {
  const groups = new Map<string, Replica[]>();
  for (const replica of replicas) groups.set(replica.block, [...(groups.get(replica.block) ?? []), replica]);
  return groups;
}
