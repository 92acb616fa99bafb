import type { ManagedObjects } from "./adapters/docker/managed-objects.ts";
import { BerthError } from "./core/errors.ts";

/** What `berth serve` does when its state is empty but the engine holds Berth's objects. */
export type OrphanChoice = "refuse" | "adopt" | "fresh";


const listed = (items: string[]) => (items.length > 5 ? `${items.slice(0, 5).join(", ")} and ${items.length - 5} more` : items.join(", "));

/**
 * An empty state beside labelled containers or volumes usually means the state was lost,
 * not that this is a new machine: starting fresh would mint a new owner and leave those
 * objects running unmanaged. Refuses unless the operator chose; returns lines to print.
 */
export function checkOrphans(objects: ManagedObjects, choice: OrphanChoice, dbPath: string): string[] {
  if (objects.containers === 0 && objects.volumes === 0) return [];
  const what = `${objects.containers} container(s) and ${objects.volumes} volume(s) labelled berth.managed=true${objects.environments.length ? ` (${listed(objects.environments)})` : ""}`;
  if (choice === "refuse") {
    throw new BerthError(
      "conflict",
      `refusing to start as a fresh install: ${dbPath} holds no state but the Docker engine has ${what}. ` +
        "If the state was lost, stop and restore it (berth backup restore FILE). " +
        "Otherwise start with --adopt-orphans (keep them; a deploy of the same project and environment takes them over) " +
        "or --fresh (start empty and leave them alone)",
    );
  }
  if (choice === "fresh") return [`state: starting empty; left alone: ${what}`];
  return [
    `state: starting empty and adopting ${what}`,
    "state: they keep running as they are; apply their berth.yaml and deploy each environment to take them over (same volumes, containers replaced)",
  ];
}
