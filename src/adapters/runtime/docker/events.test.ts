import { describe, expect, test } from "bun:test";
import { environmentOf, lineSplitter, parseEvent } from "./events.ts";

const event = (attributes: Record<string, string>) => JSON.stringify({ Type: "container", Action: "start", Actor: { ID: "abc", Attributes: attributes } });

describe("engine events", () => {
  test("lines split across chunks, or several in one chunk, come out whole", () => {
    const split = lineSplitter();
    expect(split('{"a":1}\n{"b"')).toEqual(['{"a":1}']);
    expect(split(':2}\n{"c":3}\n\n')).toEqual(['{"b":2}', '{"c":3}']);
  });

  test("an event names the environment of a Berth container; anything else is ignored", () => {
    expect(environmentOf(event({ "berth.managed": "true", "berth.project": "shop", "berth.env": "dev", "berth.block": "web" }))).toEqual({ project: "shop", environment: "dev" });
    expect(environmentOf(event({ "berth.project": "shop", "berth.env": "dev" }))).toBeNull();
    expect(environmentOf(event({ "berth.managed": "true", "berth.project": "shop" }))).toBeNull();
    expect(environmentOf("not json")).toBeNull();
  });

  test("an event gives its container id and action, also for containers of no environment", () => {
    expect(parseEvent(event({ "berth.managed": "true", "berth.project": "shop", "berth.env": "dev" }))).toEqual({ id: "abc", action: "start", environment: { project: "shop", environment: "dev" } });
    expect(parseEvent(JSON.stringify({ Action: "destroy", Actor: { ID: "def", Attributes: { "berth.managed": "true", "berth.job-run": "1" } } }))).toEqual({ id: "def", action: "destroy", environment: null });
    expect(parseEvent('{"Action":"die"}')).toBeNull();
    expect(parseEvent("not json")).toBeNull();
  });
});
