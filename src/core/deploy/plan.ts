import type { ReleaseBlock } from "../../ports/release-store.ts";
import type { BlockPlan } from "../../ports/runtime.ts";
import { DEFAULT_PRESET_PORT } from "../build-presets.ts";
import { configHash } from "../builds/image-name.ts";
import { invalid } from "../errors.ts";
import { durationSeconds } from "../project-file/container-fields.ts";
import type { BlockKind, BlockSpec } from "../project-file/schema.ts";
import { execLast } from "../start-command.ts";
import type { VariableRef } from "../../ports/variable-store.ts";
import type { Variables } from "../variables.ts";

/** Dependencies start first: data services, then APIs, then what calls them. */
const START_ORDER: Record<BlockKind, number> = { service: 0, microservice: 1, worker: 2, website: 3, job: 4 };

const BYTES = { Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 } as const;
const toBytes = (size: string) => {
  const [, n, unit] = /^(\d+)(Ki|Mi|Gi)$/.exec(size)!;
  return Number(n) * BYTES[unit as keyof typeof BYTES];
};

/** What a block gets when berth.yaml does not say: limits from the settings, Docker's usual stop grace. */
export interface BlockDefaults {
  memoryBytes: number;
  pidsLimit: number;
  stopGraceSeconds: number;
}

export const DEFAULT_BLOCK_DEFAULTS: Readonly<BlockDefaults> = Object.freeze({ memoryBytes: 512 * 1024 ** 2, pidsLimit: 512, stopGraceSeconds: 10 });

/** Blocks the edge sends traffic to: they must have a port, or they could never be reached. */
export const isRouted = (spec: BlockSpec) => spec.kind === "website" || (spec.kind === "microservice" && (spec.expose ?? "gateway") !== "internal");

/** The block's port; a preset build listens on the preset port when berth.yaml names none (the static preset). */
function portOf(name: string, spec: BlockSpec): number | undefined {
  const port = spec.port ?? (spec.build?.preset && spec.kind !== "worker" && spec.kind !== "job" ? DEFAULT_PRESET_PORT : undefined);
  if (port === undefined && isRouted(spec)) throw invalid(`${name}: a ${spec.kind} block needs a port for the edge to route to`);
  return port;
}

/**
 * A release block as the runtime should run it. `envFingerprint` changes whenever a variable
 * does, without putting secret values into the hash (which ends up in a container label).
 */
/** The variables a release's block runs with: those the release recorded, else today's (and their fingerprint). */
export function releaseVariables(variables: Pick<Variables, "open" | "resolve" | "fingerprint">, ref: VariableRef, block: ReleaseBlock) {
  return { env: block.vars ? variables.open(block.vars) : variables.resolve(ref), fingerprint: block.fingerprint ?? variables.fingerprint(ref) };
}

export function blockPlan(block: ReleaseBlock, env: Record<string, string>, envFingerprint: string, defaults: BlockDefaults = DEFAULT_BLOCK_DEFAULTS, dependsOn: string[] = []): BlockPlan {
  const { spec } = block;
  const port = portOf(block.name, spec);
  const plan: Omit<BlockPlan, "hash"> = {
    block: block.name,
    kind: spec.kind,
    image: block.imageId,
    env: port === undefined ? env : { PORT: String(port), ...env },
    command: spec.command === undefined ? undefined : typeof spec.command === "string" ? ["sh", "-c", execLast(spec.command)] : spec.command,
    port,
    healthPath: spec.health,
    replicas: spec.kind === "service" ? 1 : (spec.replicas ?? 1),
    memoryBytes: spec.resources?.memory ? toBytes(spec.resources.memory) : defaults.memoryBytes,
    cpus: spec.resources?.cpu,
    pidsLimit: spec.resources?.pids ?? defaults.pidsLimit,
    volumes: Object.entries(spec.volumes ?? {}).map(([path, size]) => ({ path, size })),
    stopGraceSeconds: spec.stopGracePeriod ? durationSeconds(spec.stopGracePeriod) : defaults.stopGraceSeconds,
    privileges: spec.security?.privileges ?? "restricted",
    user: spec.user,
    // Only when set: the hashes of blocks that read no service stay what they were.
    ...(dependsOn.length > 0 && { dependsOn }),
  };
  const { env: _values, ...rest } = plan;
  return { ...plan, hash: configHash({ ...rest, envFingerprint }) };
}

export const inStartOrder = <T extends { kind: BlockKind }>(blocks: T[]) => [...blocks].sort((a, b) => START_ORDER[a.kind] - START_ORDER[b.kind]);
