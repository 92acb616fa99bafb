import { describe, expect, test } from "bun:test";
import { existsSync, lstatSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseProjectFile } from "../project-file/parse.ts";
import { detectProject, INIT_FILES, PRESENCE_ONLY } from "./detect.ts";
import type { GitFacts, InitInput } from "./types.ts";

const FIXTURES = join(import.meta.dir, "../../../test/fixtures/init");
const GOLDEN = "expected.berth.yaml";
const ORIGIN: GitFacts = { checkout: true, origin: "https://git.example.com/acme/repo.git", branch: "main", prefix: "" };

/** The input the `init` verb would hand over for a fixture folder. */
function fixtureInput(name: string, git: GitFacts = ORIGIN): InitInput {
  const dir = join(FIXTURES, name);
  const entries = readdirSync(dir).filter((f) => f !== GOLDEN);
  const files: Record<string, string> = {};
  for (const file of INIT_FILES) {
    const path = join(dir, file);
    if (existsSync(path) && lstatSync(path).isFile()) files[file] = (PRESENCE_ONLY as readonly string[]).includes(file) ? "" : readFileSync(path, "utf8");
  }
  return { dirName: name, files, entries, git };
}

const fixtures = readdirSync(FIXTURES).filter((f) => existsSync(join(FIXTURES, f, GOLDEN)));

describe("berth init: golden berth.yaml per fixture", () => {
  test("every fixture folder has its golden file", () => {
    expect(fixtures.sort()).toEqual(["app-json", "compose", "dockerfile", "node", "procfile", "python", "static", "unknown"]);
  });

  for (const name of fixtures) {
    test(`${name}: the generated file matches ${GOLDEN} and passes apply's parser`, () => {
      const { yaml } = detectProject(fixtureInput(name));
      const golden = join(FIXTURES, name, GOLDEN);
      // BERTH_UPDATE_GOLDEN=1 rewrites the golden files after a deliberate change; review the diff.
      if (process.env.BERTH_UPDATE_GOLDEN === "1") writeFileSync(golden, yaml);
      expect(yaml).toBe(readFileSync(golden, "utf8"));
      expect(() => parseProjectFile(yaml)).not.toThrow();
    });
  }
});

const decisionsOf = (name: string, git?: GitFacts) => detectProject(fixtureInput(name, git)).decisions;
const find = (name: string, subject: string, git?: GitFacts) => decisionsOf(name, git).find((d) => d.subject === subject);

describe("berth init: decisions say what was chosen and why", () => {
  test("a Procfile makes one block per process type sharing one build: web → website, release → pre-deploy job, others → workers", () => {
    const file = parseProjectFile(detectProject(fixtureInput("procfile")).yaml);
    expect(Object.fromEntries(Object.entries(file.blocks).map(([n, b]) => [n, [b.kind, b.trigger ?? null, b.command]]))).toEqual({
      web: ["website", null, "python3 app.py"],
      worker: ["worker", null, "python3 worker.py"],
      release: ["job", "pre-deploy", "python3 migrate.py"],
    });
    const builds = new Set(Object.values(file.blocks).map((b) => JSON.stringify(b.build)));
    expect(builds.size).toBe(1);
  });

  test("the port comes from the final stage's EXPOSE", () => {
    expect(find("dockerfile", "port")).toEqual({ subject: "port", choice: "5000", why: "from the Dockerfile's EXPOSE" });
  });

  test("app.json: dokku predeploy/postdeploy and cron become jobs, healthchecks a health path, required variables without a value are named with the command that sets them", () => {
    const file = parseProjectFile(detectProject(fixtureInput("app-json")).yaml);
    expect(file.project).toBe("ledger-app");
    expect(file.blocks.predeploy).toMatchObject({ kind: "job", trigger: "pre-deploy", command: "npm run migrate" });
    expect(file.blocks.postdeploy).toMatchObject({ kind: "job", trigger: "post-deploy" });
    expect(file.blocks["cron-1"]).toMatchObject({ kind: "job", schedule: "0 0 * * *", command: "node scripts/report.js" });
    expect(file.blocks["cron-2"]).toMatchObject({ schedule: "*/15 * * * *" });
    expect(file.blocks.web).toMatchObject({ health: "/health", replicas: 2, env: { NODE_ENV: "production", LOG_LEVEL: "info" } });
    expect(file.blocks.clock!.kind).toBe("worker");
    const db = find("app-json", "env DATABASE_URL")!;
    expect(db.todo).toBe(true);
    expect(db.why).toContain("berth vars set ledger-app dev BLOCK DATABASE_URL for each block that needs it (web, clock, predeploy, postdeploy, cron-1, cron-2)");
    expect(find("app-json", "env COOKIE_SECRET")!.why).toContain("COOKIE_SECRET --secret");
    expect(find("app-json", "env SENTRY_DSN")!.todo).toBeUndefined();
    expect(find("app-json", "jobs")!.why).toContain("still to come");
  });

  test("compose: postgres and redis become services with a volume and their port; the password is never written", () => {
    const { yaml, decisions } = detectProject(fixtureInput("compose"));
    const file = parseProjectFile(yaml);
    expect(file.blocks.db).toEqual({ kind: "service", image: "postgres:16-alpine", port: 5432, volumes: { "/var/lib/postgresql/data": "1Gi" }, env: { POSTGRES_DB: "shop", POSTGRES_USER: "shop" } });
    expect(file.blocks.cache).toEqual({ kind: "service", image: "redis:7", port: 6379, volumes: { "/data": "1Gi" } });
    expect(yaml).not.toContain("s3cr3t-pw");
    expect(decisions.find((d) => d.subject === "env POSTGRES_PASSWORD")!.why).toContain("berth vars set compose dev db POSTGRES_PASSWORD --secret");
    expect(decisions.find((d) => d.subject.includes('"mail"'))).toMatchObject({ todo: true, choice: "not converted" });
  });

  test("a folder nothing is known about says what to fill in, and the file still applies", () => {
    const { yaml, decisions } = detectProject(fixtureInput("unknown"));
    expect(decisions.find((d) => d.subject === "build")!.todo).toBe(true);
    expect(yaml).toContain("# To fill in:");
  });
});

describe("berth init: the git source", () => {
  test("a checkout's origin and branch; the folder's place in it becomes `path`", () => {
    const { yaml } = detectProject(fixtureInput("static", { checkout: true, origin: "git@github.com:acme/site.git", branch: "release/2", prefix: "sites/static/" }));
    expect(parseProjectFile(yaml).blocks.web!.git).toEqual({ url: "git@github.com:acme/site.git", ref: "release/2", path: "sites/static" });
  });

  test("credentials in an https origin are never written", () => {
    const { yaml, decisions } = detectProject(fixtureInput("static", { checkout: true, origin: "https://x-access-token:ghp_secret123@github.com/acme/site.git", branch: "main" }));
    expect(yaml).not.toContain("ghp_secret123");
    expect(parseProjectFile(yaml).blocks.web!.git!.url).toBe("https://github.com/acme/site.git");
    expect(decisions.find((d) => d.subject === "git.url")!.why).toContain("berth block git-token");
  });

  test("an origin that is a local path becomes a file:// URL; a checkout without origin uses itself", () => {
    const local = detectProject(fixtureInput("static", { checkout: true, origin: "/srv/repos/site.git", branch: "main" }));
    expect(parseProjectFile(local.yaml).blocks.web!.git!.url).toBe("file:///srv/repos/site.git");
    const own = detectProject(fixtureInput("static", { checkout: true, branch: "main", topLevel: "/home/ann/site" }));
    expect(parseProjectFile(own.yaml).blocks.web!.git!.url).toBe("file:///home/ann/site");
  });

  test("outside a checkout: a placeholder URL the user is told to replace", () => {
    const { yaml, decisions } = detectProject(fixtureInput("static", { checkout: false }));
    expect(parseProjectFile(yaml).blocks.web!.git!.url).toBe("https://git.example.com/CHANGE-ME/REPOSITORY.git");
    expect(decisions.find((d) => d.subject === "git.url")).toMatchObject({ todo: true });
    expect(yaml).toContain("#   git.url: the folder is not a git checkout");
  });

  test("a detached HEAD writes no ref", () => {
    const { yaml } = detectProject(fixtureInput("static", { checkout: true, origin: "https://git.example.com/a/b.git" }));
    expect(parseProjectFile(yaml).blocks.web!.git).toEqual({ url: "https://git.example.com/a/b.git" });
  });
});

describe("berth init: what cannot be converted is named, and the file still applies", () => {
  test("a cron schedule that is not a valid pattern is skipped and flagged", () => {
    const input = fixtureInput("node");
    input.files["app.json"] = JSON.stringify({ cron: [{ command: "node a.js", schedule: "99 * * * *" }, { command: "node b.js", schedule: "@hourly" }] });
    const { yaml, decisions } = detectProject(input);
    expect(Object.keys(parseProjectFile(yaml).blocks)).toEqual(["web", "cron-2"]);
    expect(decisions.find((d) => d.subject === "app.json cron[0]")).toMatchObject({ todo: true, choice: "skipped" });
  });

  test("Procfile types that make the same block name get distinct blocks", () => {
    const input = fixtureInput("node");
    input.files.Procfile = "web: node server.js\nsend_mail: node a.js\nsend-mail: node b.js\n";
    const blocks = parseProjectFile(detectProject(input).yaml).blocks;
    expect(Object.keys(blocks)).toEqual(["web", "send-mail", "send-mail-2"]);
    expect(blocks["send-mail-2"]!.command).toBe("node b.js");
  });
});

describe("berth init: names", () => {
  test("--name wins; a folder name is made a DNS label", () => {
    expect(detectProject({ ...fixtureInput("static"), name: "Shop" }).project).toBe("shop");
    expect(detectProject({ ...fixtureInput("static"), dirName: "My_Site.v2" }).project).toBe("my-site-v2");
  });
});
