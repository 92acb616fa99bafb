import { describe, expect, test } from "bun:test";
import type { ProjectFile } from "../project-file/schema.ts";
import { parseProjectFile } from "../project-file/parse.ts";
import type { ReleaseRecord } from "../../ports/release-store.ts";
import type { SourceRef } from "../../ports/git-source.ts";
import { createPoller } from "./poll.ts";

const FILE = parseProjectFile(`project: shop
blocks:
  web:
    kind: website
    git: { url: "https://git.example.com/shop.git" }
    port: 8080
  db:
    kind: service
    image: postgres:16
    port: 5432
environments:
  dev: { ref: main, autoDeploy: poll }
  prod: { ref: main, autoDeploy: true }
`);

function setup(file: ProjectFile = FILE) {
  const heads = new Map<string, string>([["main", "a".repeat(40)]]);
  const asked: SourceRef[] = [];
  const releases: ReleaseRecord[] = [];
  const triggered: { environment: string; source?: string; actor?: string }[] = [];
  const lines: string[] = [];
  let failure: string | null = null;
  const poller = createPoller({
    projects: { listProjects: () => [{ name: file.project, blocks: 2, environments: Object.keys(file.environments), updatedAt: "" }], loadProject: () => file },
    deployments: { isDeploying: () => false, list: () => releases },
    git: {
      async head(source) {
        asked.push(source);
        if (failure) throw new Error(failure);
        return heads.get(source.ref!);
      },
    },
    credentials: { read: () => ({ httpsToken: "tok" }) },
    autoDeploy: {
      trigger(_project, environment, origin) {
        triggered.push({ environment, ...origin });
        return { environment, release: triggered.length, queued: false };
      },
      queued: () => undefined,
    },
    log: (line) => lines.push(line),
  });
  const released = (commit: string) => releases.unshift({ blocks: [{ name: "web", commit }] } as unknown as ReleaseRecord);
  return { poller, heads, asked, triggered, lines, released, fail: (message: string | null) => (failure = message) };
}

describe("autoDeploy: poll", () => {
  test("only poll environments are asked, with the block's ref, URL and credentials; never deployed → deployed", async () => {
    const { poller, asked, triggered } = setup();
    await poller.tick();
    expect(asked).toEqual([{ url: "https://git.example.com/shop.git", ref: "main", credentials: { httpsToken: "tok" } }]);
    expect(triggered).toEqual([{ environment: "dev", source: `push ${"a".repeat(7)}`, actor: "poll" }]);
  });

  test("the commit the newest release built is not deployed again; a new commit is, once", async () => {
    const { poller, heads, triggered, released } = setup();
    released("a".repeat(40));
    await poller.tick();
    expect(triggered).toEqual([]);
    heads.set("main", "b".repeat(40));
    await poller.tick();
    await poller.tick();
    expect(triggered.map((t) => t.source)).toEqual(["push bbbbbbb"]);
  });

  test("a commit whose deploy failed is not retried every round; the next commit is deployed", async () => {
    const { poller, heads, triggered, released } = setup();
    released("a".repeat(40));
    heads.set("main", "b".repeat(40));
    await poller.tick();
    await poller.tick();
    expect(triggered).toHaveLength(1);
    heads.set("main", "c".repeat(40));
    await poller.tick();
    expect(triggered.map((t) => t.source)).toEqual(["push bbbbbbb", "push ccccccc"]);
  });

  test("a remote that cannot be reached is reported once, and polling goes on", async () => {
    const { poller, triggered, lines, fail, released } = setup();
    released("a".repeat(40));
    fail("cannot reach https://git.example.com/shop.git: Connection refused");
    await poller.tick();
    await poller.tick();
    expect(lines.filter((l) => l.includes("cannot poll"))).toEqual(["auto-deploy: shop/dev: cannot poll: cannot reach https://git.example.com/shop.git: Connection refused"]);
    fail(null);
    await poller.tick();
    expect(triggered).toEqual([]);
  });
});
