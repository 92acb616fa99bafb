// The fleet's registry round trip on this machine: the real Distribution (Debian's
// docker-registry) on a loopback port with Berth's CA and password, an image built and pushed
// through the real engine, the digest in the rendered pod spec checked against the registry's
// own answer, and pulls with and without the account.
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import Dockerode from "dockerode";
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { createRegistry, type Registry } from "../src/adapters/registry/registry.ts";
import type { RegistryProcess } from "../src/adapters/registry/process.ts";
import { createManifestRenderer } from "../src/adapters/runtime/k3s/manifests.ts";
import { createProjectStore } from "../src/adapters/store/project-store.ts";
import { createReleaseStore } from "../src/adapters/store/release-store.ts";
import { createFleet } from "../src/core/fleet/fleet.ts";
import { parseProjectFile } from "../src/core/project-file/parse.ts";
import { resolveBlock } from "../src/core/project-file/resolve.ts";
import { freePort } from "./support/binary.ts";
import { docker } from "./support/sh.ts";
import { memoryState } from "./support/state.ts";
import { loadTestEnv } from "./support/test-env.ts";

setDefaultTimeout(60_000);

const env = loadTestEnv();
/** Kept by tag between runs: the same two lines build the same image. */
const IMAGE = "berth-test/fleet-registry/web:v1";
/** A second build, for two images pushed under one reference. */
const OTHER_IMAGE = "berth-test/fleet-registry/web:v2";
const REPOSITORY = "berth-test/fleet-registry/web";
const MANIFEST_TYPES = "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json";

const engine = new Dockerode();
const port = freePort();
const address = `127.0.0.1:${port}`;
const certsDir = `/etc/docker/certs.d/${address}`;
let dataDir: string;
let registry: Registry;
let running: RegistryProcess | undefined;
let caPem: string;
let localId: string;
let manifests: Record<string, any>[];

const basic = (username: string, password: string) => ({ Authorization: `Basic ${btoa(`${username}:${password}`)}` });
const manifestUrl = (reference: string) => `https://${address}/v2/${REPOSITORY}/manifests/${reference}`;

async function followed(stream: NodeJS.ReadableStream): Promise<void> {
  await new Promise<void>((resolve, reject) =>
    engine.modem.followProgress(stream, (error: Error | null, events: { error?: string }[]) => {
      const failed = error?.message ?? events.find((e) => e.error)?.error;
      if (failed) reject(new Error(failed));
      else resolve();
    }),
  );
}

function build(tag: string, line: string): void {
  if (docker(["image", "inspect", tag]).code === 0) return;
  const built = Bun.spawnSync(["docker", "build", "-t", tag, "-"], { stdin: new TextEncoder().encode(`FROM ${env.images.busybox}\nRUN ${line}\n`), stdout: "pipe", stderr: "pipe" });
  if (built.exitCode !== 0) throw new Error(`building ${tag} failed: ${built.stderr.toString()}`);
}

/** The engine's names for an image that point at the registry. */
const registryTags = async (id: string) => ((await engine.getImage(id).inspect()).RepoTags ?? []).filter((t) => t.startsWith(`${address}/`));

beforeAll(async () => {
  build(IMAGE, "echo fleet > /fleet.txt");
  build(OTHER_IMAGE, "echo other > /fleet.txt");
  localId = (await engine.getImage(IMAGE).inspect()).Id;

  dataDir = mkdtempSync(join(tmpdir(), "berth-fleet-registry-"));
  registry = createRegistry({ dataDir, address, listen: address, docker: engine });
  ({ caPem } = await registry.prepare());
  // The engine reads the CA per push from certs.d; no restart needed.
  mkdirSync(certsDir, { recursive: true });
  writeFileSync(join(certsDir, "ca.crt"), caPem);
  running = await registry.start();

  // A release as a deploy freezes it, then published: pushed, and rendered with the registry's digest.
  const { db, services } = memoryState();
  const file = parseProjectFile(`project: shipyard
blocks:
  web: { kind: website, image: ${IMAGE}, port: 8080 }
environments:
  dev: {}
`);
  const projects = createProjectStore(db);
  projects.saveProject(file);
  const releases = createReleaseStore(db);
  const release = releases.createRelease(file.project, "dev", { source: "deploy" });
  releases.freezeRelease(release.id, [{ name: "web", image: IMAGE, imageId: localId, commit: null, spec: resolveBlock(file, "dev", "web") }]);
  releases.finishRelease(release.id, "deployed", null);
  const fleet = createFleet({ projects, releases, variables: services.variables, renderer: createManifestRenderer(), registry: async () => registry });
  manifests = (await fleet.publish(file.project, "dev")).manifests.split("---\n").map((doc) => parse(doc));
});

afterAll(async () => {
  await running?.stop();
  rmSync(certsDir, { recursive: true, force: true });
  for (const image of (await engine.listImages()).filter((i) => [...(i.RepoTags ?? []), ...(i.RepoDigests ?? [])].some((r) => r.startsWith(`${address}/`)))) {
    for (const ref of [...(image.RepoTags ?? []), ...(image.RepoDigests ?? [])].filter((r) => r.startsWith(`${address}/`))) await engine.getImage(ref).remove().catch(() => {});
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

test("the pod spec pins the image by the digest the registry reports for it", async () => {
  const deployment = manifests.find((o) => o.kind === "Deployment" && o.metadata.name === "web")!;
  const container = deployment.spec.template.spec.containers[0];
  const match = new RegExp(`^${address.replace(/\./g, "\\.")}/${REPOSITORY}@(sha256:[0-9a-f]{64})$`).exec(container.image);
  expect(match).not.toBeNull();
  expect(container.imagePullPolicy).toBeUndefined();

  // A node holds only registries.yaml and the CA: with them it reads the same digest.
  const nodeConfig = parse(await registry.registriesYaml());
  expect(nodeConfig.mirrors[address].endpoint).toEqual([`https://${address}`]);
  const { username, password } = nodeConfig.configs[address].auth;
  const res = await fetch(manifestUrl(`v1-${localId.slice(7, 19)}`), { method: "HEAD", headers: { Accept: MANIFEST_TYPES, ...basic(username, password) }, tls: { ca: caPem } });
  expect(res.status).toBe(200);
  expect(res.headers.get("Docker-Content-Digest")).toBe(match![1]!);
});

test("without the account the registry refuses, and over TLS it is trusted only through Berth's CA", async () => {
  const digest = manifests.find((o) => o.kind === "Deployment")!.spec.template.spec.containers[0].image.split("@")[1];
  const anonymous = await fetch(manifestUrl(digest), { headers: { Accept: MANIFEST_TYPES }, tls: { ca: caPem } });
  expect(anonymous.status).toBe(401);
  expect(anonymous.headers.get("WWW-Authenticate")).toStartWith("Basic");
  const wrong = await fetch(manifestUrl(digest), { headers: { Accept: MANIFEST_TYPES, ...basic("berth", "not-the-password") }, tls: { ca: caPem } });
  expect(wrong.status).toBe(401);
  await expect(fetch(`https://${address}/v2/`)).rejects.toThrow(/certificate|self.signed|issuer/i);
  for (const key of [registry.files.caKey, registry.files.key, registry.files.password, registry.files.htpasswd, registry.files.config, registry.files.httpSecret]) expect(statSync(key).mode & 0o777).toBe(0o600);
});

test("the engine pulls by digest with the account, the same image that was pushed, and not without it", async () => {
  const pinned = manifests.find((o) => o.kind === "Deployment")!.spec.template.spec.containers[0].image as string;
  const anonymous = await engine.pull(pinned).then(followed).then(
    () => null,
    (error: Error) => error,
  );
  expect(anonymous?.message ?? "").toMatch(/no basic auth credentials|unauthorized|authentication required/i);
  const { username, password } = parse(await registry.registriesYaml()).configs[address].auth;
  await followed(await engine.pull(pinned, { authconfig: { username, password, serveraddress: address } }));
  expect((await engine.getImage(pinned).inspect()).Id).toBe(localId);
});

test("two builds pushed side by side under one reference each get their own tag and digest, and no registry tag stays on the engine", async () => {
  const otherId = (await engine.getImage(OTHER_IMAGE).inspect()).Id;
  const shared = "berth-test/fleet-registry/web:shared";
  const [one, two] = await Promise.all([registry.push({ reference: shared, id: localId }), registry.push({ reference: shared, id: otherId })]);
  expect(one.image).toBe(`${address}/${REPOSITORY}:shared-${localId.slice(7, 19)}`);
  expect(two.image).toBe(`${address}/${REPOSITORY}:shared-${otherId.slice(7, 19)}`);
  expect(one.digest).not.toBe(two.digest);
  const { username, password } = parse(await registry.registriesYaml()).configs[address].auth;
  for (const [pushed, id] of [[one, localId], [two, otherId]] as const) {
    const res = await fetch(manifestUrl(pushed.image.split(":").pop()!), { method: "HEAD", headers: { Accept: MANIFEST_TYPES, ...basic(username, password) }, tls: { ca: caPem } });
    expect(res.headers.get("Docker-Content-Digest")).toBe(pushed.digest);
    // Only Berth's own build tag names the image: deleting the project can free it.
    expect(await registryTags(id)).toEqual([]);
  }
});

test("a second start while a registry of the same data dir answers on the address is refused, and the first keeps serving", async () => {
  await expect(registry.start()).rejects.toThrow(`a registry already answers at https://${address}/v2/ with this data dir's certificate`);
  const res = await fetch(`https://${address}/v2/`, { tls: { ca: caPem } });
  expect(res.status).toBe(401);
});
