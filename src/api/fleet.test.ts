import { describe, expect, test } from "bun:test";
import { parse } from "yaml";
import { harnessWithRelease, PASSWORD } from "../../test/support/fleet-release.ts";
import { apiHarness } from "../../test/support/state.ts";
import { createFleetStore } from "../adapters/store/fleet-store.ts";
import { ApiError, unwrap } from "../client/index.ts";

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

test("a project Kubernetes would refuse a name of is refused with the field's path", async () => {
  const { harness } = await harnessWithRelease();
  await unwrap(harness.client.projects.apply.$post({ json: { file: "project: digits\nblocks:\n  1web: { kind: website, image: acme/web:1, port: 80 }\n" } }));
  const route = harness.client.projects[":project"].environments[":env"].fleet.manifests;
  const refused = await unwrap(route.$get({ param: { project: "digits", env: "dev" }, query: {} })).catch((e) => e);
  expect(refused.message).toBe("blocks.1web: Kubernetes needs Service names that start with a letter, and a block with a port becomes a Service of its name");
});

describe("apply in fleet mode (runtime: k3s)", () => {
  const file = `project: digits
blocks:
  1web: { kind: website, image: acme/web:1, port: 80 }
  tick: { kind: job, image: acme/jobs:1, schedule: "*/10 * * * * *" }
`;

  test("refuses a file Kubernetes would refuse, one line per field, and saves nothing", async () => {
    const harness = apiHarness({ BERTH_RUNTIME: "k3s" });
    for (const dryRun of [true, false]) {
      const refused = await unwrap(harness.client.projects.apply.$post({ json: { file, dryRun } })).catch((e) => e);
      expect(refused).toBeInstanceOf(ApiError);
      expect(refused.status).toBe(400);
      expect(refused.message).toBe("berth.yaml has names or schedules Kubernetes would refuse, and this install runs fleet mode (runtime: k3s)");
      expect(refused.issues.map((i: { path: string; message: string }) => `${i.path}: ${i.message}`)).toEqual([
        "blocks.1web: Kubernetes needs Service names that start with a letter, and a block with a port becomes a Service of its name",
        "blocks.tick.schedule: Kubernetes reads 5-field patterns only: drop the leading seconds field",
      ]);
    }
    expect((await unwrap(harness.client.projects.$get())).projects).toEqual([]);
  });

  test("takes the file once the fields are fixed; the docker runtime takes it as it was", async () => {
    const fleet = apiHarness({ BERTH_RUNTIME: "k3s" });
    const fixed = file.replace("1web", "web").replace(`"*/10 * * * * *"`, `"*/10 * * * *"`);
    expect((await unwrap(fleet.client.projects.apply.$post({ json: { file: fixed } }))).applied).toBe(true);
    const docker = apiHarness();
    expect((await unwrap(docker.client.projects.apply.$post({ json: { file } }))).applied).toBe(true);
  });
});

test("the node list shows the server's URL and the nodes, never a token, and why the cluster was not asked; a member may not join a node", async () => {
  const harness = apiHarness();
  const store = createFleetStore(harness.db);
  store.saveServer({ url: "https://10.0.0.5:6443", tokenSealed: "v1:sealed-server", agentTokenSealed: "v1:sealed-agent", k3sVersion: "v1.34.2+k3s1", initialisedAt: "2026-12-02T10:00:00.000Z" });
  store.putNode({ name: "node-2", address: "ssh://root@10.0.0.7:22", hostKey: "SHA256:k", role: "agent", k3sVersion: "v1.34.2+k3s1", joinedAt: "2026-12-02T10:05:00.000Z" });
  const viewer = harness.clientFor(harness.tokenWithRole("viewer"));
  const response = await viewer.fleet.nodes.$get();
  const text = await response.text();
  expect(text).not.toContain("sealed");
  expect(JSON.parse(text)).toEqual({
    server: { url: "https://10.0.0.5:6443", k3sVersion: "v1.34.2+k3s1", initialisedAt: "2026-12-02T10:00:00.000Z" },
    nodes: [{ name: "node-2", address: "ssh://root@10.0.0.7:22", hostKey: "SHA256:k", role: "agent", k3sVersion: "v1.34.2+k3s1", joinedAt: "2026-12-02T10:05:00.000Z", cluster: null }],
    unrecorded: [],
    // No kubeconfig in this data dir: the records, and one line why the cluster was not asked.
    clusterNote: expect.stringMatching(/^fleet mode has no cluster yet \(no kubeconfig at \/.*\/fleet\/kubeconfig\.yaml\): run berth fleet init first$/),
  });
  const member = harness.clientFor(harness.tokenWithRole("member"));
  const refused = await unwrap(member.fleet.nodes.$post({ json: { address: "ssh://root@10.0.0.8", privateKey: "-----BEGIN OPENSSH PRIVATE KEY-----\nx", bundle: "/srv/k3s" } })).catch((e) => e);
  expect(refused.message).toBe("this needs the admin role on the install; you have member");
});
