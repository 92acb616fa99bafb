import { expect, test } from "bun:test";
import type { ImageRegistry, LocalImage } from "../../ports/image-registry.ts";
import type { ReleaseBlock } from "../../ports/release-store.ts";
import { fleetPlan } from "./fleet-plan.ts";
import { publishImages } from "./publish.ts";

const block = (name: string, image: string, imageId: string): ReleaseBlock => ({ name, image, imageId, commit: null, spec: { kind: "worker", image } as ReleaseBlock["spec"] });

test("each engine image is pushed once, and the plan carries the registry's reference and digest per block", async () => {
  const pushes: LocalImage[] = [];
  const registry: ImageRegistry = {
    async push(image) {
      pushes.push(image);
      return { image: `10.0.0.5:5000/${image.reference}`, digest: `sha256:${String(pushes.length).repeat(64)}` };
    },
  };
  const blocks = [block("a", "acme/app:1", "sha256:aaa"), block("b", "acme/app:1", "sha256:aaa"), block("c", "acme/other:2", "sha256:ccc")];
  const published = await publishImages(registry, blocks);
  expect(pushes).toEqual([{ reference: "acme/app:1", id: "sha256:aaa" }, { reference: "acme/other:2", id: "sha256:ccc" }]);
  const plan = fleetPlan({ project: "shop", environment: "dev", release: 1, blocks, variablesOf: () => ({ env: {}, fingerprint: "f", dependsOn: [] }), ...published });
  expect(plan.blocks.map((b) => [b.block, b.image, b.digest])).toEqual([
    ["a", "10.0.0.5:5000/acme/app:1", `sha256:${"1".repeat(64)}`],
    ["b", "10.0.0.5:5000/acme/app:1", `sha256:${"1".repeat(64)}`],
    ["c", "10.0.0.5:5000/acme/other:2", `sha256:${"2".repeat(64)}`],
  ]);
});
