import { DROPPED_CAPABILITIES } from "../capabilities.ts";
import type { FleetBlock } from "../../../ports/fleet.ts";
import { claimName, secretName } from "./names.ts";


/** A pinned reference when the registry gave a digest: a tag can move, a digest cannot. */
export function imageOf(block: FleetBlock): string {
  if (!block.digest || block.image.includes("@")) return block.image;
  // Drop the tag (the last ':' after the last '/'), keep a registry's port.
  const slash = block.image.lastIndexOf("/");
  const colon = block.image.lastIndexOf(":");
  const repository = colon > slash ? block.image.slice(0, colon) : block.image;
  return `${repository}@${block.digest}`;
}

/** Numeric "1000" or "1000:1000" maps to runAs*; a user name cannot (Kubernetes wants ids), the image's /etc/passwd decides then. */
function runAs(user: string | undefined): Record<string, number> {
  const ids = /^(\d+)(?::(\d+))?$/.exec(user ?? "");
  if (!ids) return {};
  return { runAsUser: Number(ids[1]), ...(ids[2] !== undefined && { runAsGroup: Number(ids[2]) }) };
}

/** Ready once the health path answers, else once the port accepts; a worker has no probe (running is ready). */
function readinessProbe(block: FleetBlock): Record<string, unknown> | undefined {
  if (block.port === undefined) return undefined;
  const check = block.healthPath ? { httpGet: { path: block.healthPath, port: block.port } } : { tcpSocket: { port: block.port } };
  // The docker runtime's probe timeout is 2 s too.
  return { ...check, periodSeconds: 2, timeoutSeconds: 2, failureThreshold: 3 };
}

/** Bytes as a Kubernetes quantity, in the largest binary unit that divides them ("256Mi"). */
export function quantity(bytes: number): string {
  for (const [unit, size] of [["Gi", 1024 ** 3], ["Mi", 1024 ** 2], ["Ki", 1024]] as const) if (bytes % size === 0) return `${bytes / size}${unit}`;
  return String(bytes);
}

function resources(block: FleetBlock): Record<string, unknown> | undefined {
  const limits: Record<string, string> = {};
  if (block.cpus) limits.cpu = `${Math.round(block.cpus * 1000)}m`;
  if (block.memoryBytes) limits.memory = quantity(block.memoryBytes);
  return Object.keys(limits).length ? { limits } : undefined;
}

/** The container of a block's pods; the Secret of its config hash holds its whole environment. */
export function container(block: FleetBlock): Record<string, unknown> {
  const restricted = (block.privileges ?? "restricted") === "restricted";
  return {
    name: block.block,
    image: imageOf(block),
    // A tag can point at a new build under the same name: without a digest, ask the registry every time.
    ...(!imageOf(block).includes("@") && { imagePullPolicy: "Always" }),
    // The plan's command replaces the image's CMD, as on docker: that is `args`; `command` would replace the ENTRYPOINT.
    ...(block.command && { args: block.command }),
    envFrom: [{ secretRef: { name: secretName(block.block, block.hash) } }],
    ...(block.port !== undefined && { ports: [{ name: "main", containerPort: block.port, protocol: "TCP" }] }),
    ...(readinessProbe(block) && { readinessProbe: readinessProbe(block) }),
    ...(resources(block) && { resources: resources(block) }),
    ...(restricted && { securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: DROPPED_CAPABILITIES } } }),
    ...(block.volumes.length > 0 && {
      volumeMounts: block.volumes.map((volume, index) => ({ name: `data-${index}`, mountPath: volume.path })),
    }),
  };
}

/** A pod spec: no service account token and no service-link variables, which docker never injected either. */
export function podSpec(block: FleetBlock, restartPolicy: "Always" | "Never"): Record<string, unknown> {
  // Docker confines every container with its default seccomp profile; Kubernetes only when asked.
  const securityContext = { ...runAs(block.user), seccompProfile: { type: "RuntimeDefault" } };
  return {
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    restartPolicy,
    ...(block.stopGraceSeconds !== undefined && { terminationGracePeriodSeconds: block.stopGraceSeconds }),
    securityContext,
    containers: [container(block)],
    ...(block.volumes.length > 0 && {
      volumes: block.volumes.map((volume, index) => ({ name: `data-${index}`, persistentVolumeClaim: { claimName: claimName(block.block, volume.path) } })),
    }),
  };
}
