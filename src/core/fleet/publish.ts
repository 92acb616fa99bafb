import type { ImageRegistry, PushedImage } from "../../ports/image-registry.ts";
import type { ReleaseBlock } from "../../ports/release-store.ts";
import type { FleetPlanInput } from "./fleet-plan.ts";

/** What fleetPlan needs to pin pushed images: spread it into its input. */
export type PublishedImages = Required<Pick<FleetPlanInput, "imageOf" | "digestOf">>;

/**
 * Pushes every image a release's blocks run to the fleet's registry, each engine image once
 * (blocks may share one), one after another: one push already fills the link to the registry.
 * Returns the registry's reference and digest per block, so each pod spec pins what the
 * registry stored.
 */
export async function publishImages(registry: ImageRegistry, blocks: ReleaseBlock[]): Promise<PublishedImages> {
  const pushed = new Map<string, PushedImage>();
  const key = (block: ReleaseBlock) => `${block.imageId} ${block.image}`;
  for (const block of blocks) {
    if (!pushed.has(key(block))) pushed.set(key(block), await registry.push({ reference: block.image, id: block.imageId }));
  }
  return { imageOf: (block) => pushed.get(key(block))?.image, digestOf: (block) => pushed.get(key(block))?.digest };
}
