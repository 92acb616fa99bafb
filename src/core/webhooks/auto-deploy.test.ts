import { describe, expect, test } from "bun:test";
import type { ReleaseRecord } from "../../ports/release-store.ts";
import type { DeployOrigin } from "../deploy/deployments.ts";
import { conflict } from "../errors.ts";
import { createAutoDeploy } from "./auto-deploy.ts";

/** Deployments of one environment whose releases finish when the test says so. */
function fakeDeployments() {
  const releases: ReleaseRecord[] = [];
  const origins: (DeployOrigin | undefined)[] = [];
  const waiters = new Map<number, () => void>();
  let running: ReleaseRecord | null = null;
  return {
    origins,
    releases,
    deploy(project: string, environment: string, origin?: DeployOrigin): ReleaseRecord {
      if (running) throw conflict(`release ${running.number} of ${project}/${environment} is still deploying`);
      const release = { id: releases.length + 1, project, environment, number: releases.length + 1, blocks: [], status: "building", reason: null, warnings: [], source: origin?.source ?? "deploy", actor: origin?.actor ?? null, createdAt: "", finishedAt: null } as ReleaseRecord;
      releases.unshift(release);
      origins.push(origin);
      running = release;
      return release;
    },
    isDeploying: () => running !== null,
    list: () => releases,
    wait: (id: number) => new Promise<ReleaseRecord>((resolve) => waiters.set(id, () => resolve(releases.find((r) => r.id === id)!))),
    /** Finishes the running release the way deployments does: waiters first, the environment let go after. */
    async finish() {
      const release = running!;
      release.status = "deployed";
      waiters.get(release.id)?.();
      await Promise.resolve();
      running = null;
    },
  };
}

const settle = () => Bun.sleep(120);

describe("deploys started by pushes", () => {
  test("an idle environment deploys at once", () => {
    const deployments = fakeDeployments();
    const auto = createAutoDeploy({ deployments, log: () => {} });
    expect(auto.trigger("p", "dev", { source: "push aaaaaaa", actor: "webhook" })).toEqual({ environment: "dev", release: 1, queued: false });
    expect(deployments.origins).toEqual([{ source: "push aaaaaaa", actor: "webhook" }]);
  });

  test("pushes during a deploy queue one follow-up, the newest push wins, and it starts when the running one finishes", async () => {
    const deployments = fakeDeployments();
    const lines: string[] = [];
    const auto = createAutoDeploy({ deployments, log: (l) => lines.push(l) });
    auto.trigger("p", "dev", { source: "push 1111111", actor: "webhook" });
    expect(auto.trigger("p", "dev", { source: "push 2222222", actor: "webhook" })).toEqual({ environment: "dev", queued: true });
    expect(auto.trigger("p", "dev", { source: "push 3333333", actor: "webhook" })).toEqual({ environment: "dev", queued: true });
    expect(auto.queued("p", "dev")).toEqual({ source: "push 3333333", actor: "webhook" });
    await settle();
    expect(deployments.releases).toHaveLength(1);
    await deployments.finish();
    await settle();
    expect(deployments.releases).toHaveLength(2);
    expect(deployments.origins.map((o) => o?.source)).toEqual(["push 1111111", "push 3333333"]);
    expect(auto.queued("p", "dev")).toBeUndefined();
    expect(lines.join("\n")).toContain("release 2 started (push 3333333");
    await deployments.finish();
    await settle();
    expect(deployments.releases).toHaveLength(2);
  });

  test("a push after the follow-up started queues the next one", async () => {
    const deployments = fakeDeployments();
    const auto = createAutoDeploy({ deployments, log: () => {} });
    auto.trigger("p", "dev", { source: "push 1111111" });
    auto.trigger("p", "dev", { source: "push 2222222" });
    await deployments.finish();
    await settle();
    expect(auto.trigger("p", "dev", { source: "push 4444444" })).toEqual({ environment: "dev", queued: true });
    await deployments.finish();
    await settle();
    expect(deployments.origins.map((o) => o?.source)).toEqual(["push 1111111", "push 2222222", "push 4444444"]);
  });
});
