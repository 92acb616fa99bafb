import { expect, test } from "bun:test";
import { createEnvironmentEvents, type EnvironmentEvent } from "./environment-events.ts";

const started: EnvironmentEvent = { change: "release", release: { id: 1, number: 1, status: "building", source: "deploy" } };

test("a watcher hears its own environment's events until it stops watching", () => {
  const events = createEnvironmentEvents();
  const heard: EnvironmentEvent[] = [];
  const stop = events.watch("shop", "dev", (e) => heard.push(e));
  events.announce("shop", "prod", started);
  events.announce("shop", "dev", started);
  stop();
  events.announce("shop", "dev", { change: "stopped", release: null });
  expect(heard).toEqual([started]);
});

test("a failing watcher does not keep the others from hearing", () => {
  const events = createEnvironmentEvents();
  const heard: string[] = [];
  events.watch("shop", "dev", () => {
    throw new Error("closed");
  });
  events.watch("shop", "dev", (e) => heard.push(e.change));
  events.announce("shop", "dev", started);
  expect(heard).toEqual(["release"]);
});
