import { expect, test } from "bun:test";
import { bindingFor, footerKeys, helpLines, KEYS, keyName, refusal, VIEWS } from "./keys.ts";

test("no key means two things in one view", () => {
  for (const view of VIEWS) {
    const seen = new Map<string, string>();
    for (const b of KEYS.filter((k) => !k.views || k.views.includes(view))) {
      for (const key of b.keys) {
        expect(seen.get(key) ?? b.action).toBe(b.action);
        seen.set(key, b.action);
      }
    }
  }
});

test("the footer and the help map come from the same table", () => {
  const help = helpLines("owner").map((l) => l.keys.split(" ")[0]);
  for (const view of VIEWS) for (const hint of footerKeys(view, "owner")) expect(help).toContain(hint.key);
  expect(helpLines("owner")).toHaveLength(KEYS.length);
});

test("a viewer sees the changing keys greyed with the reason; a member can use them", () => {
  const deploy = footerKeys("blocks", "viewer").find((k) => k.label === "deploy")!;
  expect(deploy.disabled).toBe("deploy needs the member role; you are viewer");
  expect(footerKeys("blocks", "member").find((k) => k.label === "deploy")!.disabled).toBeNull();
  expect(footerKeys("blocks", "viewer").find((k) => k.label === "filter")!.disabled).toBeNull();
  expect(refusal(bindingFor("R", "blocks")!, "viewer")).toContain("member");
});

test("keys only work in their views", () => {
  expect(bindingFor("R", "blocks")?.action).toBe("restart");
  expect(bindingFor("R", "certs")).toBeUndefined();
  expect(bindingFor("x", "jobs")?.action).toBe("runJob");
  expect(bindingFor("w", "logs")?.action).toBe("wrap");
  expect(footerKeys("certs", "owner").map((k) => k.label)).not.toContain("deploy");
});

test("key presses fold into the table's names", () => {
  expect(keyName("", { upArrow: true })).toBe("up");
  expect(keyName("", { pageDown: true })).toBe("pgdn");
  expect(keyName("c", { ctrl: true })).toBe("ctrl+c");
  expect(keyName("", { return: true })).toBe("enter");
  expect(keyName("G", {})).toBe("G");
  expect(bindingFor(keyName("c", { ctrl: true }), "logs")?.action).toBe("quit");
});

test("keys that arrive in one chunk are handled one by one", async () => {
  const { splitChunk } = await import("./input.ts");
  expect(splitChunk(":logs\r", {})).toEqual([[":", {}], ["l", {}], ["o", {}], ["g", {}], ["s", {}], ["", { return: true }]]);
  expect(splitChunk("j", {})).toEqual([["j", {}]]);
  expect(splitChunk("c", { ctrl: true })).toEqual([["c", { ctrl: true }]]);
});
