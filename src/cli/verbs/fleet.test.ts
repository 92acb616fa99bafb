import { expect, test } from "bun:test";
import { harnessWithRelease, PASSWORD } from "../../../test/support/fleet-release.ts";
import type { VerbContext } from "../verb.ts";
import { fleetVerbs } from "./fleet.ts";

const render = fleetVerbs.find((v) => v.name === "fleet render")!;

async function run(args: string[], values: Record<string, string> = {}) {
  const { harness } = await harnessWithRelease();
  const out: string[] = [];
  const context = { args, values, client: async () => harness.client, out: (line: string) => out.push(line) } as unknown as VerbContext;
  await render.run(context);
  return out.join("\n");
}

test("berth fleet render prints YAML documents, the Namespace first, no secret in clear", async () => {
  const printed = await run(["the-longest-project-name-berth-allows-40", "dev"], { release: "1" });
  expect(printed).toStartWith("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: berth-the-longest-project-name-berth-allows-40-dev\n");
  expect(printed).toContain("\n---\napiVersion: batch/v1\nkind: CronJob\n");
  expect(printed).not.toContain(PASSWORD);
});

test("a --release that is not a number is refused before anything is called", async () => {
  await expect(run(["p", "dev"], { release: "latest" })).rejects.toThrow("--release: expected a whole number from 1, got latest");
});
