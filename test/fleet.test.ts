// `berth fleet render` on the compiled binary, for a release a real deploy made: what a user
// reads before fleet mode applies anything. One deploy in beforeAll, then only reads.
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { checkManifests } from "../src/adapters/runtime/k3s/manifest-check.ts";
import type { KubeObject } from "../src/adapters/runtime/k3s/object.ts";
import { startServe } from "./support/binary.ts";
import { docker } from "./support/sh.ts";
import { loadTestEnv } from "./support/test-env.ts";

setDefaultTimeout(120_000);

const env = loadTestEnv();
const PROJECT = `fleet${crypto.randomUUID().slice(0, 6)}`;
const SECRET = `token-${crypto.randomUUID()}`;

let server: Awaited<ReturnType<typeof startServe>>;

beforeAll(async () => {
  server = await startServe();
  const file = join(server.home, "berth.yaml");
  writeFileSync(
    file,
    `project: ${PROJECT}
blocks:
  web:
    kind: website
    image: ${env.images.busybox}
    command: [sh, -c, "mkdir -p /www && echo hello > /www/index.html && httpd -f -p 8080 -h /www"]
    port: 8080
    health: /
  cleanup:
    kind: job
    image: ${env.images.busybox}
    command: [echo, done]
    schedule: "0 4 * * *"
environments:
  dev: {}
`,
  );
  expect((await server.run(["apply", "-f", file])).code).toBe(0);
  expect((await server.run(["vars", "set", PROJECT, "dev", "web", `API_TOKEN=${SECRET}`, "--secret"])).code).toBe(0);
  const deployed = await server.run(["deploy", PROJECT, "dev"]);
  expect(deployed.code).toBe(0);
}, 120_000);

afterAll(async () => {
  await server?.stop();
  const ids = docker(["ps", "-aq", "--filter", `label=berth.project=${PROJECT}`]).out.split("\n").filter(Boolean);
  if (ids.length) docker(["rm", "-f", ...ids]);
  docker(["network", "rm", `berth-${PROJECT}-dev`]);
});

test("prints the live release's objects, valid for Kubernetes, the secret masked", async () => {
  const printed = await server.run(["fleet", "render", PROJECT, "dev"]);
  expect(printed.code).toBe(0);
  const objects = printed.stdout.split(/^---$/m).map((doc) => parse(doc) as KubeObject);
  expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(
    expect.arrayContaining([`Namespace/berth-${PROJECT}-dev`, "Deployment/web", "Service/web", "NetworkPolicy/edge-to-web", "CronJob/cleanup"]),
  );
  expect(checkManifests(objects)).toEqual([]);
  expect(printed.stdout).not.toContain(SECRET);
  const secret = objects.find((o) => o.kind === "Secret" && o.metadata.labels["berth.block"] === "web") as KubeObject & { stringData: Record<string, string> };
  expect(secret.stringData.API_TOKEN).toBe("[redacted]");
  // The same release named by its number renders the same bytes.
  expect((await server.run(["fleet", "render", PROJECT, "dev", "--release", "1"])).stdout).toBe(printed.stdout);
});

test("a release that does not exist is one line on stderr and a non-zero exit", async () => {
  const missing = await server.run(["fleet", "render", PROJECT, "dev", "--release", "42"]);
  expect(missing.code).toBe(1);
  expect(missing.stderr.trim()).toBe(`error: release 42 of ${PROJECT}/dev not found`);
});
