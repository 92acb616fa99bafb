import { describe, expect, test } from "bun:test";
import { allTemplates, compareVersions, exportsOf, imageFor, majorOf, templateEnv, templateNamed } from "./catalog.ts";
import { checkVersionChange, withTemplate } from "./expand.ts";
import { referencedBlocks, resolveReferences } from "./references.ts";
import { templateSchema } from "./template-schema.ts";
import type { BlockSpec } from "../project-file/schema.ts";

// mongodb, kafka, rabbitmq, minio and mysql cannot run here (no registry): their data is checked
// here, against the schema and what each image documents, and not exercised end to end.
describe("catalog templates", () => {
  test.each(allTemplates().map((t) => [t.name, t] as const))("%s passes the template schema", (_name, template) => {
    const result = templateSchema.safeParse(template);
    expect(result.success ? [] : result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`)).toEqual([]);
  });

  test("every template exports host and port; databases export a URL with user, password and database", () => {
    for (const t of allTemplates()) expect(Object.keys(t.exports)).toEqual(expect.arrayContaining(["host", "port", "url"]));
    for (const name of ["postgres", "mysql", "mariadb", "mongodb"]) {
      expect(Object.keys(templateNamed(name)!.exports)).toEqual(expect.arrayContaining(["user", "password", "database"]));
    }
  });

  test("dumps and restores are argv arrays; only kafka has none; every password a template renews is generated", () => {
    for (const t of allTemplates()) {
      if (t.name === "kafka") expect(t.dump).toBeUndefined();
      else expect([t.dump?.length ?? 0, t.restore?.length ?? 0].every((n) => n > 0)).toBe(true);
      if (t.password) expect(t.credentials).toContain(t.password);
    }
  });

  test("the schema refuses a template whose export names a variable it does not have, or a default it does not support", () => {
    const postgres = templateNamed("postgres")!;
    const bad = templateSchema.safeParse({ ...postgres, exports: { ...postgres.exports, url: "postgresql://{PGUSER}@{host}" }, versions: { default: "12", supported: ["16"] } });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i) => i.message)).toEqual(expect.arrayContaining(["{PGUSER} is neither host, port nor a variable of the template", "default 12 is not among the supported versions"]));
  });

  test("exports fill the block's variables, its name and port; values inside a URL are percent-encoded", () => {
    const postgres = templateNamed("postgres")!;
    const env = { POSTGRES_USER: "a b", POSTGRES_PASSWORD: "p@ss/word", POSTGRES_DB: "app" };
    expect(exportsOf(postgres, env, "db", 5432)).toEqual({
      host: "db",
      port: "5432",
      user: "a b",
      password: "p@ss/word",
      database: "app",
      url: "postgresql://a%20b:p%40ss%2Fword@db:5432/app",
    });
    expect(templateEnv(templateNamed("kafka")!, "events", 9092).KAFKA_ADVERTISED_LISTENERS).toBe("PLAINTEXT://events:9092");
  });

  test("the image: official with the version, or the whole mirror reference when one is set", () => {
    const redis = templateNamed("redis")!;
    expect(imageFor(redis, "7.2")).toBe("redis:7.2");
    expect(imageFor(redis, "7.2", { redis: "registry.local/redis:7" })).toBe("registry.local/redis:7");
    expect(imageFor(templateNamed("minio")!, "2024-11-07T00-52-20Z")).toBe("minio/minio:RELEASE.2024-11-07T00-52-20Z");
  });
});

describe("templated blocks", () => {
  const db: BlockSpec = { kind: "service", template: "postgres", env: { POSTGRES_DB: "shop" } };

  test("a templated service gets the template's image, port and data volume; its own settings win", () => {
    expect(withTemplate(db)).toEqual({ ...db, version: "16", image: "postgres:16", port: 5432, volumes: { "/var/lib/postgresql/data": "1Gi" } });
    const sized = withTemplate({ ...db, version: "15", volumes: { "/var/lib/postgresql/data": "5Gi" } }, { postgres: "mirror/pg:15" });
    expect([sized.image, sized.volumes]).toEqual(["mirror/pg:15", { "/var/lib/postgresql/data": "5Gi" }]);
    expect(withTemplate({ kind: "worker", image: "busybox" })).toEqual({ kind: "worker", image: "busybox" });
    expect(withTemplate({ kind: "service", template: "minio" }).health).toBe("/minio/health/live");
  });

  test("versions compare by number; a downgrade is refused, a major upgrade needs allowMajor, a template change is refused", () => {
    expect(compareVersions("10.11", "10.6")).toBeGreaterThan(0);
    expect(compareVersions("16", "16")).toBe(0);
    expect(majorOf("11.4")).toBe(11);
    const live = withTemplate({ ...db, version: "15" });
    expect(() => checkVersionChange("db", live, withTemplate({ ...db, version: "14" }), true)).toThrow("db: postgres 14 is older than the live 15");
    expect(() => checkVersionChange("db", live, withTemplate({ ...db, version: "16" }), false)).toThrow("--allow-major");
    expect(() => checkVersionChange("db", live, withTemplate({ ...db, version: "16" }), true)).not.toThrow();
    expect(() => checkVersionChange("db", live, withTemplate({ kind: "service", template: "mysql" }), true)).toThrow("template change");
  });

  test("references resolve from the named block's exports; others stay as written", () => {
    const env = { DATABASE_URL: "${{ db.url }}", BOTH: "${{db.host}}:${{ cache.port }}", PLAIN: "x" };
    expect(referencedBlocks(env)).toEqual(["cache", "db"]);
    const exported: Record<string, Record<string, string>> = { db: { url: "postgresql://db/app", host: "db" } };
    expect(resolveReferences(env, (b) => exported[b])).toEqual({ DATABASE_URL: "postgresql://db/app", BOTH: "db:${{ cache.port }}", PLAIN: "x" });
  });
});
