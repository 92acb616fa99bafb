import { expect, test } from "bun:test";
import { memoryState } from "../../../test/support/state.ts";
import { createReleaseStore } from "../../adapters/store/release-store.ts";

test("a release left building or deploying by a stopped server is marked failed at the next start", async () => {
  const { db, services } = memoryState();
  await services.projects.apply("project: p\nblocks:\n  w: { kind: worker, image: 'a:1' }\n");
  const releases = createReleaseStore(db);
  const building = releases.createRelease("p", "dev");
  const deploying = releases.freezeRelease(releases.createRelease("p", "dev").id, []);
  const done = releases.finishRelease(releases.createRelease("p", "dev").id, "deployed", null);
  services.deployments.failInterrupted();
  expect(releases.getRelease(building.id)).toMatchObject({ status: "failed", reason: expect.stringContaining("interrupted") });
  expect(releases.getRelease(deploying.id)!.status).toBe("failed");
  expect(releases.getRelease(done.id)!.status).toBe("deployed");
  expect([building.number, deploying.number, done.number]).toEqual([1, 2, 3]);
});
