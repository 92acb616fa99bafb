import type { ReleaseBlock } from "../../ports/release-store.ts";
import type { BlockPlan } from "../../ports/runtime.ts";
import { configHash } from "../builds/image-name.ts";
import type { BlockKind } from "../project-file/schema.ts";

/** Dependencies start first: data services, then APIs, then what calls them. */
const START_ORDER: Record<BlockKind, number> = { service: 0, microservice: 1, worker: 2, website: 3, job: 4 };

const BYTES = { Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 } as const;
const toBytes = (size: string) => {
  const [, n, unit] = /^(\d+)(Ki|Mi|Gi)$/.exec(size)!;
  return Number(n) * BYTES[unit as keyof typeof BYTES];
};

/**
 * A release block as the runtime should run it. `envFingerprint` changes whenever a variable
 * does, without putting secret values into the hash (which ends up in a container label).
 */
export function blockPlan(block: ReleaseBlock, env: Record<string, string>, envFingerprint: string): BlockPlan {
  const { spec } = block;
  const plan: Omit<BlockPlan, "hash"> = {
    block: block.name,
    kind: spec.kind,
    image: block.imageId,
    env: spec.port === undefined ? env : { PORT: String(spec.port), ...env },
    command: spec.command === undefined ? undefined : typeof spec.command === "string" ? ["sh", "-c", spec.command] : spec.command,
    port: spec.port,
    healthPath: spec.health,
    replicas: spec.kind === "service" ? 1 : (spec.replicas ?? 1),
    memoryBytes: spec.resources?.memory ? toBytes(spec.resources.memory) : undefined,
    cpus: spec.resources?.cpu,
    volumes: Object.entries(spec.volumes ?? {}).map(([path, size]) => ({ path, size })),
  };
  const { env: _values, ...rest } = plan;
  return { ...plan, hash: configHash({ ...rest, envFingerprint }) };
}

export const inStartOrder = <T extends { kind: BlockKind }>(blocks: T[]) => [...blocks].sort((a, b) => START_ORDER[a.kind] - START_ORDER[b.kind]);
