import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startServe } from "./support/binary.ts";
import { eventually } from "./support/eventually.ts";
import { docker, lines } from "./support/sh.ts";
import { createRepo, loadTestEnv, type TestRepo } from "./support/test-env.ts";

// Builds and rollouts on a shared engine take tens of seconds.
setDefaultTimeout(240_000);

const env = loadTestEnv();
const PROJECT = `pipe${crypto.randomUUID().slice(0, 6)}`;

// The site writes the environment's GREETING where the edge serves it, so a response shows which variables it runs with.
const WEB_DOCKERFILE = `FROM ${env.images.busybox}
COPY index.html /www/index.html
CMD ["sh", "-c", "echo \\"$GREETING\\" > /www/greeting.txt && exec httpd -f -p 8080 -h /www"]
`;
const API_DOCKERFILE = `FROM ${env.images.busybox}
COPY version.txt /srv/version.txt
CMD ["httpd", "-f", "-p", "8000", "-h", "/srv"]
`;

let server: Awaited<ReturnType<typeof startServe>>;
let repo: TestRepo;

const projectFile = () => `project: ${PROJECT}
blocks:
  web:
    kind: website
    git: { url: "${repo.httpUrl}", path: web }
    port: 8080
  api:
    kind: microservice
    git: { url: "${repo.httpUrl}", path: api }
    port: 8000
  data:
    kind: service
    image: ${env.images.busybox}
    command: [sh, -c, "mkdir -p /data && ( [ -f /data/born ] || date +%s%N > /data/born ) && exec httpd -f -p 6379 -h /data"]
    port: 6379
    volumes: { /data: 100Mi }
environments:
  dev: {}
  prod:
    blocks:
      web:
        replicas: 2
        domains: [shop-${PROJECT}.example.test]
`;

type Release = { number: number; status: string; source: string; actor: string | null; live?: boolean; blocks: { name: string; imageId: string; commit: string | null; fingerprint?: string }[] };

const cli = async (args: string[], stdin?: string) => {
  const result = await server.run(args, stdin);
  if (result.code !== 0) throw new Error(`berth ${args.join(" ")} exited ${result.code}: ${result.stderr}${result.stdout}`);
  return result.stdout;
};
const release = async (environment: string, n: number): Promise<Release> => JSON.parse(await cli(["release", "show", PROJECT, environment, String(n), "--json"]));
const releases = async (environment: string): Promise<Release[]> => JSON.parse(await cli(["releases", PROJECT, environment, "--json"]));
const buildCount = async () => (JSON.parse(await cli(["builds", PROJECT, "--json"])) as unknown[]).length;
const imageIds = (r: Release) => Object.fromEntries(r.blocks.map((b) => [b.name, b.imageId]));
const site = (environment: string, path = "/") => fetch(`${server.edgeUrl}${path}`, { headers: { Host: `web.${environment}.${PROJECT}.localhost` } });
const text = async (environment: string, path: string) => {
  const response = await site(environment, path);
  return `${response.status} ${(await response.text()).trim()}`;
};
const bornAt = async () => (await cli(["exec", PROJECT, "prod", "data", "--", "cat", "/data/born"])).trim();

beforeAll(async () => {
  repo = createRepo("pipeline", { "web/Dockerfile": WEB_DOCKERFILE, "web/index.html": "site v1\n", "api/Dockerfile": API_DOCKERFILE, "api/version.txt": "api v1\n" });
  server = await startServe([]);
  const file = join(server.home, "berth.yaml");
  writeFileSync(file, projectFile());
  await cli(["apply", "-f", file]);
  await cli(["vars", "set", PROJECT, "dev", "web", "GREETING=hello from dev"]);
  await cli(["vars", "set", PROJECT, "prod", "web", "GREETING=hello from prod"]);
  await cli(["vars", "set", PROJECT, "prod", "web", "--secret", "API_KEY=prod-secret-value"]);
  // Every test below moves this release along: set-up, not a test of its own.
  await cli(["deploy", PROJECT, "dev"]);
}, 300_000);

afterAll(async () => {
  await server?.close();
  const ids = lines(docker(["ps", "-aq", "--filter", `label=berth.project=${PROJECT}`]));
  if (ids.length) docker(["rm", "-f", ...ids]);
  for (const environment of ["dev", "prod", "staging"]) docker(["network", "rm", `berth-${PROJECT}-${environment}`]);
  const volumes = lines(docker(["volume", "ls", "-q", "--filter", `label=berth.project=${PROJECT}`]));
  if (volumes.length) docker(["volume", "rm", ...volumes]);
  const images = lines(docker(["images", "-q", "--filter", `label=berth.project=${PROJECT}`]));
  if (images.length) docker(["rmi", "-f", ...new Set(images)]);
  repo?.remove();
});

describe("environments as a pipeline: dev → prod without rebuilding", () => {
  test("promote runs dev's images in prod (same ids, no build) with prod's own variables", async () => {
    const builds = await buildCount();
    const out = await cli(["promote", PROJECT, "dev", "prod"]);
    expect(out).toContain("release 1 deployed");
    const [dev, prod] = [await release("dev", 1), await release("prod", 1)];
    expect(imageIds(prod)).toEqual(imageIds(dev));
    expect(await buildCount()).toBe(builds);
    expect(prod.source).toBe("promote from dev#1");
    expect(prod.actor).toBeTruthy();
    expect(await text("prod", "/greeting.txt")).toBe("200 hello from prod");
    expect(await text("dev", "/greeting.txt")).toBe("200 hello from dev");
    // The secret is recorded sealed, and shown masked like `vars list` does.
    expect(JSON.stringify(prod)).not.toContain("prod-secret-value");
    expect((prod.blocks.find((b) => b.name === "web") as unknown as { vars: Record<string, { value: string }> }).vars.API_KEY!.value).toBe("••••••••");
    const list = await releases("prod");
    expect(list.map((r) => [r.number, r.live])).toEqual([[1, true]]);
    expect(await cli(["releases", PROJECT, "prod"])).toMatch(/^1\s+deployed\s+\*\s+promote from dev#1\s/m);
    const log = await cli(["release", "log", PROJECT, "prod", "1"]);
    expect(log).toContain("promoting every block from dev release 1: its images, no build");
    expect(log).toContain("release 1 deployed");
    expect(await cli(["release", "log", PROJECT, "prod", "1", "-f"])).toBe(log);
  });

  test("after a new commit reaches dev, diff and promote --dry-run on prod name its subject; promote brings it", async () => {
    repo.commit({ "web/index.html": "site v2\n" }, "Make the site say v2");
    await cli(["deploy", PROJECT, "dev"]);
    expect(await text("dev", "/")).toBe("200 site v2");

    const diff = await cli(["diff", PROJECT, "prod"]);
    expect(diff).toContain("Make the site say v2");
    const dry = JSON.parse(await cli(["promote", PROJECT, "dev", "prod", "--dry-run", "--json"]));
    const web = dry.blocks.find((b: { block: string }) => b.block === "web");
    expect([web.change, web.image, web.commit.subjects]).toEqual(["changed", true, ["Make the site say v2"]]);
    // The api's folder did not change: no subject of another folder's commit is its news.
    const api = dry.blocks.find((b: { block: string }) => b.block === "api");
    expect(api.commit.subjects).toEqual([]);
    expect(dry.blocks.find((b: { block: string }) => b.block === "data").change).toBe("unchanged");
    expect((await releases("prod")).length).toBe(1);

    await cli(["promote", PROJECT, "dev", "prod"]);
    expect(await text("prod", "/")).toBe("200 site v2");
    expect(imageIds(await release("prod", 2))).toEqual(imageIds(await release("dev", 2)));
    expect(await cli(["promote", PROJECT, "dev", "prod", "--dry-run"])).toContain("no changes");
  });

  test("rollback to the previous release under continuous load fails no request", async () => {
    let [served, failed] = [0, 0];
    let running = true;
    const load = (async () => {
      while (running) {
        const response = await site("prod").catch(() => null);
        if (response?.status === 200) served++;
        else failed++;
        await response?.text();
      }
    })();
    const out = await cli(["rollback", PROJECT, "prod"]).finally(async () => {
      running = false;
      await load;
    });
    expect(out).toContain("rollback to #1");
    expect({ served: served > 0, failed }).toEqual({ served: true, failed: 0 });
    expect(await text("prod", "/")).toBe("200 site v1");
    const rolled = await release("prod", 3);
    expect([rolled.source, rolled.status]).toEqual(["rollback to #1", "deployed"]);
    expect(imageIds(rolled)).toEqual(imageIds(await release("prod", 1)));
    expect(await text("prod", "/greeting.txt")).toBe("200 hello from prod");
    expect((await releases("prod")).map((r) => [r.number, r.live])).toEqual([[3, true], [2, false], [1, false]]);
  });

  test("status says config changed since the live release until it is redeployed", async () => {
    await cli(["vars", "set", PROJECT, "prod", "web", "GREETING=hello again"]);
    const status = await cli(["status", PROJECT, "prod"]);
    expect(status).toContain("web: config changed since release 3");
    expect(status).not.toContain("api: config changed");
  });

  test("stop answers 503 naming the stopped environment; start brings the live release back with its volume data", async () => {
    const born = await bornAt();
    await cli(["env", "stop", PROJECT, "prod"]);
    const stopped = await site("prod");
    expect(stopped.status).toBe(503);
    expect(await stopped.text()).toContain(`environment prod of ${PROJECT} is stopped`);
    expect(lines(docker(["ps", "-q", "--filter", `label=berth.project=${PROJECT}`, "--filter", "label=berth.env=prod"]))).toEqual([]);
    const status = JSON.parse(await cli(["status", PROJECT, "prod", "--json"]));
    expect([status.stopped, ...status.blocks.map((b: { state: string }) => b.state)]).toEqual([true, "stopped", "stopped", "stopped"]);
    expect(await text("dev", "/")).toBe("200 site v2");
    const envs = JSON.parse(await cli(["env", "list", PROJECT, "--json"])) as { name: string; stopped: boolean }[];
    expect(envs.map((e) => [e.name, e.stopped])).toEqual([["dev", false], ["prod", true]]);

    const out = await cli(["env", "start", PROJECT, "prod"]);
    expect(out).toContain("release 4 deployed");
    expect((await release("prod", 4)).source).toBe("start");
    expect(await text("prod", "/")).toBe("200 site v1");
    expect(await bornAt()).toBe(born);
    expect(JSON.parse(await cli(["status", PROJECT, "prod", "--json"])).stopped).toBe(false);
  });

  test("a clone leaves the source's domains out and says so; --deploy runs the source's live images", async () => {
    const out = await cli(["env", "create", PROJECT, "staging", "--from", "prod", "--deploy"]);
    expect(out).toContain(`web: domains not copied (a domain belongs to one environment): shop-${PROJECT}.example.test`);
    expect(out).toContain("release 1 deployed");
    expect(imageIds(await release("staging", 1))).toEqual(imageIds(await release("prod", 4)));
    await eventually(async () => (await text("staging", "/greeting.txt")) === "200 hello again", 10_000, "staging serves prod's copied variables");
  });
});
