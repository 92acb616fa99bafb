import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fleetIssues, kubernetesCronProblem, runtimeIssues } from "./fleet-rules.ts";
import { parseProjectFile } from "./parse.ts";
import { ConfigError, loadConfig } from "../../config.ts";

const lines = (yaml: string) => fleetIssues(parseProjectFile(yaml)).map((i) => `${i.path}: ${i.message}`);

test("the fleet fixture, with the longest names Berth allows, passes", () => {
  expect(fleetIssues(parseProjectFile(readFileSync(join(import.meta.dir, "../../../test/fixtures/k3s/berth.yaml"), "utf8")))).toEqual([]);
});

test("a block with a port whose name starts with a digit is named with its path", () => {
  const yaml = `project: shop
blocks:
  1web: { kind: website, image: acme/web:1, port: 80 }
  2fa-cleanup: { kind: job, image: acme/jobs:1, trigger: manual }
`;
  expect(lines(yaml)).toEqual([
    "blocks.1web: Kubernetes needs Service names that start with a letter, and a block with a port becomes a Service of its name",
  ]);
});

test("a port set in one environment only makes the block a Service there too", () => {
  const yaml = `project: shop
blocks:
  9lives: { kind: worker, image: acme/w:1 }
environments:
  dev:
    blocks:
      9lives: { replicas: 2 }
`;
  expect(lines(yaml)).toEqual([]);
});

test("cron patterns the CronJob parser refuses are named with their path", () => {
  const yaml = `project: shop
blocks:
  tick: { kind: job, image: acme/jobs:1, schedule: "*/10 * * * * *" }
  weekly: { kind: job, image: acme/jobs:1, schedule: "0 4 * * 7" }
  ok: { kind: job, image: acme/jobs:1, schedule: "15 3 1-7 jan,jul mon-fri" }
environments:
  prod:
    blocks:
      ok: { schedule: "0 12 L * *" }
`;
  expect(lines(yaml)).toEqual([
    "blocks.tick.schedule: Kubernetes reads 5-field patterns only: drop the leading seconds field",
    `blocks.weekly.schedule: the day of week field "7" is not one Kubernetes reads (0–6, '*', ranges, lists and steps, or names)`,
    `environments.prod.blocks.ok.schedule: the day of month field "L" is not one Kubernetes reads (1–31, '*', ranges, lists and steps)`,
  ]);
});

test("the @ forms: the usual ones pass, @every does not", () => {
  expect(kubernetesCronProblem("@daily")).toBeNull();
  expect(kubernetesCronProblem("@hourly")).toBeNull();
  expect(kubernetesCronProblem("@every 5m")).toStartWith('Kubernetes reads only @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly of the @ forms, not "@every 5m"');
  expect(kubernetesCronProblem("CRON_TZ=Europe/Paris 0 3 * * *")).toContain("timezone");
  expect(kubernetesCronProblem("*/15 0-6,22 * * *")).toBeNull();
  expect(kubernetesCronProblem("5-1 * * * *")).toContain("minute field");
  expect(kubernetesCronProblem("*/0 * * * *")).toContain("minute field");
});

test("the docker runtime takes what Kubernetes refuses; k3s gives the fleet rules' lines", () => {
  const file = parseProjectFile(`project: shop
blocks:
  1web: { kind: website, image: acme/web:1, port: 80 }
  tick: { kind: job, image: acme/jobs:1, schedule: "0 4 * * 7" }
`);
  expect(runtimeIssues("docker", file)).toEqual([]);
  expect(runtimeIssues("k3s", file)).toEqual(fleetIssues(file));
  expect(runtimeIssues("k3s", file).map((i) => i.path)).toEqual(["blocks.1web", "blocks.tick.schedule"]);
});

test("the runtime setting: docker by default, k3s for fleet mode, anything else one line naming it", () => {
  expect(loadConfig({ env: {} }).runtime).toBe("docker");
  expect(loadConfig({ env: { BERTH_RUNTIME: "k3s" } }).runtime).toBe("k3s");
  expect(() => loadConfig({ env: { BERTH_RUNTIME: "kubernetes" } })).toThrow(new ConfigError("config: BERTH_RUNTIME: expected docker or k3s"));
});
