import { describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fleetPlan } from "../../../core/fleet/fleet-plan.ts";
import { parseProjectFile } from "../../../core/project-file/parse.ts";
import { resolveBlock } from "../../../core/project-file/resolve.ts";
import type { ReleaseBlock } from "../../../ports/release-store.ts";
import { checkManifests } from "./manifest-check.ts";
import { manifestObjects, toYaml } from "./manifests.ts";
import { namespaceName } from "./names.ts";
import type { KubeObject } from "./object.ts";

const FIXTURES = join(import.meta.dir, "../../../../test/fixtures/k3s");
const file = parseProjectFile(readFileSync(join(FIXTURES, "berth.yaml"), "utf8"));

/** Variables set with `berth vars set --secret`: none of them may show up outside a Secret. */
const SECRETS: Record<string, Record<string, string>> = {
  db: { POSTGRES_PASSWORD: "db-password-7Hq2xLp9" },
  api: { DATABASE_URL: "postgres://app:db-password-7Hq2xLp9@db:5432/app", SESSION_KEY: "session-key-Zr8mW4tQ" },
  "nightly-report-for-each-customer-account": { SMTP_PASSWORD: "smtp-password-Kd3vN6" },
};

/** A release as a deploy would freeze it: images found by reference, the registry's digest for one. */
function render(environment: string, order: (names: string[]) => string[] = (names) => names) {
  const blocks: ReleaseBlock[] = order(Object.keys(file.blocks)).map((name) => {
    const spec = resolveBlock(file, environment, name);
    return { name, image: spec.image!, imageId: `sha256:${"0".repeat(60)}${name.length}`, commit: null, spec };
  });
  const plan = fleetPlan({
    project: file.project,
    environment,
    release: 7,
    blocks,
    variablesOf: (block) => ({ env: { ...block.spec.env, ...SECRETS[block.name] }, fingerprint: `fp-${block.name}`, dependsOn: [] }),
    digestOf: (block) => (block.name === "api" || block.name === "migrate" ? `sha256:${"ab".repeat(32)}` : undefined),
  });
  return manifestObjects(plan);
}

describe.each(["dev", "production-eu-west-2"])("the fixture project's %s environment", (environment) => {
  const golden = join(FIXTURES, `${environment}.yaml`);
  const objects = render(environment);

  test("renders byte for byte what is committed (UPDATE_GOLDEN=1 rewrites it)", () => {
    const text = toYaml(objects);
    if (process.env.UPDATE_GOLDEN === "1") writeFileSync(golden, text);
    expect(text).toBe(readFileSync(golden, "utf8"));
  });

  test("renders the same bytes whatever order the blocks come in", () => {
    expect(toYaml(render(environment, (names) => [...names].reverse()))).toBe(toYaml(objects));
  });

  test("every object passes the Kubernetes schemas and Berth's own rules", () => {
    expect(checkManifests(objects)).toEqual([]);
  });
});

describe("what the manifests promise", () => {
  const objects = render("production-eu-west-2");
  const named = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name) as KubeObject & Record<string, any>;
  const kinds = (kind: string) => objects.filter((o) => o.kind === kind).map((o) => o.metadata.name);

  test("one namespace within 63 characters, with a hash when the names are too long", () => {
    const [namespace] = kinds("Namespace");
    expect(namespace!.length).toBeLessThanOrEqual(63);
    expect(namespace).toMatch(/^berth-the-longest-project-name-berth-allows-40-prod[a-z0-9-]*-[0-9a-f]{8}$/);
    expect(namespaceName(file.project, "dev")).toBe(`berth-${file.project}-dev`);
    // Two long names that share their first 54 characters still get two namespaces.
    expect(namespaceName(file.project, "production-eu-west-3")).not.toBe(namespace);
  });

  test("a Deployment per long-running block, a Service per port, Jobs and a CronJob for jobs", () => {
    expect(kinds("Deployment")).toEqual(["api", "db", "hooks", "mailer", "search", "storefront-with-the-longest-allowed-name"]);
    expect(kinds("Service")).toEqual(["api", "db", "hooks", "search", "storefront-with-the-longest-allowed-name"]);
    expect(kinds("Job")).toEqual(["migrate-r7", "notify-r7", "reindex-r7"]);
    expect(kinds("CronJob")).toEqual(["nightly-report-for-each-customer-account"]);
    expect(named("Job", "reindex-r7").spec.suspend).toBe(true);
    expect(named("Deployment", "api").spec.replicas).toBe(4);
  });

  test("stateless blocks roll without going below ready; the service with volumes is recreated on its claims", () => {
    expect(named("Deployment", "api").spec.strategy).toEqual({ type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
    expect(named("Deployment", "db").spec.strategy).toEqual({ type: "Recreate" });
    const claims = objects.filter((o) => o.kind === "PersistentVolumeClaim") as Record<string, any>[];
    const volumes = claims.map((c) => [c.metadata.annotations["berth.volume-path"], c.spec.storageClassName, c.spec.resources.requests.storage]);
    expect(volumes.sort()).toEqual([
      ["/backups", "local-path", "2Gi"],
      ["/var/lib/postgresql/data", "local-path", "10Gi"],
    ]);
    const mounted = named("Deployment", "db").spec.template.spec.volumes.map((v: any) => v.persistentVolumeClaim.claimName);
    expect(mounted.sort()).toEqual(claims.map((c) => c.metadata.name).sort());
  });

  test("readiness comes from the block's health path, else its port", () => {
    const probe = (name: string) => named("Deployment", name).spec.template.spec.containers[0].readinessProbe;
    expect(probe("api").httpGet).toEqual({ path: "/health", port: 3000 });
    expect(probe("hooks").tcpSocket).toEqual({ port: 4000 });
    expect(probe("mailer")).toBeUndefined();
  });

  test("variables live in one immutable Secret per block and config hash, read with envFrom", () => {
    const api = named("Deployment", "api").spec.template.spec.containers[0];
    const secret = named("Secret", api.envFrom[0].secretRef.name);
    expect(secret.immutable).toBe(true);
    expect(secret.stringData.SESSION_KEY).toBe("session-key-Zr8mW4tQ");
    expect(api.env).toBeUndefined();
    const outside = JSON.stringify(objects.filter((o) => o.kind !== "Secret"));
    for (const values of Object.values(SECRETS)) for (const value of Object.values(values)) expect(outside).not.toContain(value);
  });

  test("only routed blocks take traffic from the edge; the rest of the namespace denies what comes from elsewhere", () => {
    expect(kinds("NetworkPolicy")).toEqual(["default-deny", "edge-to-api", "edge-to-hooks", "edge-to-storefront-with-the-longest-allowed-name", "same-environment"]);
  });

  test("images are pinned by digest when the registry gave one", () => {
    expect(named("Deployment", "api").spec.template.spec.containers[0].image).toBe(`localhost:5000/acme/api@sha256:${"ab".repeat(32)}`);
    expect(named("Deployment", "hooks").spec.template.spec.containers[0].image).toBe("acme/hooks:1.0");
  });

  test("every object carries the labels the runtime prunes by", () => {
    for (const object of objects) {
      expect(object.metadata.labels).toMatchObject({ "app.kubernetes.io/managed-by": "berth", "berth.project": file.project, "berth.environment": "production-eu-west-2", "berth.release": "7" });
    }
  });
});

describe("a broken manifest fails the check with the reason", () => {
  const mutated = (change: (objects: Record<string, any>[]) => void) => {
    const objects = structuredClone(render("dev")) as Record<string, any>[];
    change(objects);
    return checkManifests(objects as KubeObject[]);
  };
  const find = (objects: Record<string, any>[], kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name)!;

  test("a field of the wrong type, from the Kubernetes schema", () => {
    expect(mutated((o) => (find(o, "Deployment", "api").spec.template.spec.containers[0].image = 42))).toEqual([
      "Deployment/api: data/spec/template/spec/containers/0/image must be string",
    ]);
  });

  test("a missing required field, from the Kubernetes schema", () => {
    expect(mutated((o) => delete find(o, "Service", "db").spec.ports[0].port)).toEqual(["Service/db: data/spec/ports/0 must have required property port"]);
  });

  test("a selector its pods do not carry", () => {
    const problems = mutated((o) => (find(o, "Deployment", "hooks").spec.selector.matchLabels["berth.block"] = "hook"));
    expect(problems).toContain("Deployment/hooks: spec.selector.matchLabels is not a subset of spec.template.metadata.labels: the Deployment would own no pods");
  });

  test("a name or label Kubernetes refuses", () => {
    expect(mutated((o) => (find(o, "Service", "search").metadata.name = "1search"))).toEqual(['Service/1search: name "1search" is not a DNS-1035 label']);
    expect(mutated((o) => (find(o, "Secret", "api-env-" + find(o, "Deployment", "api").spec.template.metadata.annotations["berth.hash"]).metadata.labels["berth.block"] = "x".repeat(64)))[0]).toMatch(
      /label berth\.block="x{64}": a label value has at most 63/,
    );
  });

  test("a variable's value outside its Secret", () => {
    expect(mutated((o) => (find(o, "Deployment", "db").metadata.annotations = { note: "db-password-7Hq2xLp9" }))).toEqual([
      "Deployment/db: carries the value of a variable, which belongs in the block's Secret only",
    ]);
  });
});
