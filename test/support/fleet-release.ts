import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createReleaseStore } from "../../src/adapters/store/release-store.ts";
import { unwrap } from "../../src/client/index.ts";
import { parseProjectFile } from "../../src/core/project-file/parse.ts";
import { resolveBlock } from "../../src/core/project-file/resolve.ts";
import { apiHarness } from "./state.ts";

const fixture = readFileSync(join(import.meta.dir, "../fixtures/k3s/berth.yaml"), "utf8");
export const PASSWORD = "db-password-7Hq2xLp9";

/** The fleet fixture project (test/fixtures/k3s) applied, with release 1 of dev deployed as a deploy freezes it and a secret set. */
export async function harnessWithRelease() {
  const harness = apiHarness();
  await unwrap(harness.client.projects.apply.$post({ json: { file: fixture } }));
  const file = parseProjectFile(fixture);
  const ref = { project: file.project, environment: "dev", block: "db" };
  harness.services.variables.set(ref, { POSTGRES_PASSWORD: PASSWORD }, true);
  const releases = createReleaseStore(harness.db);
  const release = releases.createRelease(file.project, "dev", { source: "deploy" });
  releases.freezeRelease(
    release.id,
    Object.keys(file.blocks).map((name) => {
      const blockRef = { ...ref, block: name };
      return { name, image: resolveBlock(file, "dev", name).image!, imageId: `sha256:${name}`, commit: null, spec: resolveBlock(file, "dev", name), vars: harness.services.variables.snapshot(blockRef), fingerprint: harness.services.variables.fingerprint(blockRef) };
    }),
  );
  releases.finishRelease(release.id, "deployed", null);
  return { harness, project: file.project };
}

