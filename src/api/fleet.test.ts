import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { createReleaseStore } from "../adapters/store/release-store.ts";
import { parseProjectFile } from "../core/project-file/parse.ts";
import { resolveBlock } from "../core/project-file/resolve.ts";
import { apiHarness } from "../../test/support/state.ts";
import { ApiError, unwrap } from "../client/index.ts";

const fixture = readFileSync(join(import.meta.dir, "../../test/fixtures/k3s/berth.yaml"), "utf8");
const PASSWORD = "db-password-7Hq2xLp9";

/** A project with a deployed release 1, as a deploy on the docker runtime would leave it, and a secret. */
async function harnessWithRelease() {
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

test("a viewer reads the manifests of the live release, with the secret values masked", async () => {
  const { harness, project } = await harnessWithRelease();
  const viewer = harness.clientFor(harness.tokenWithRole("viewer"));
  const route = viewer.projects[":project"].environments[":env"].fleet.manifests;
  const rendered = await unwrap(route.$get({ param: { project, env: "dev" }, query: {} }));
  expect(rendered.release).toBe(1);
  expect(rendered.manifests).not.toContain(PASSWORD);
  const secret = rendered.manifests.split("---\n").map((d) => parse(d)).find((o) => o.kind === "Secret" && o.metadata.labels["berth.block"] === "db");
  expect(secret.stringData.POSTGRES_PASSWORD).toBe("[redacted]");
  expect(await unwrap(route.$get({ param: { project, env: "dev" }, query: { release: "1" } }))).toEqual(rendered);
});

test("a release that does not exist, and an environment with none, are one clear line", async () => {
  const { harness, project } = await harnessWithRelease();
  const route = harness.client.projects[":project"].environments[":env"].fleet.manifests;
  const missing = await unwrap(route.$get({ param: { project, env: "dev" }, query: { release: "9" } })).catch((e) => e);
  expect(missing).toBeInstanceOf(ApiError);
  expect(missing.message).toBe(`release 9 of ${project}/dev not found`);
  const none = await unwrap(route.$get({ param: { project, env: "production-eu-west-2" }, query: {} })).catch((e) => e);
  expect(none.message).toBe(`${project}/production-eu-west-2 has no live release yet: deploy it first, or name one with --release`);
});
