import { describe, expect, test } from "bun:test";
import { complete } from "./completion.ts";
import { ago, painter, table } from "./output.ts";
import { runCli, type Io } from "./run.ts";
import { VERBS } from "./verbs/index.ts";

async function cli(argv: string[], extra: Partial<Io> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l), ...extra });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("CLI habits, without a server", () => {
  test("an unknown command suggests the closest one and exits 2", async () => {
    const result = await cli(["deplyo", "shop", "dev"]);
    expect(result.code).toBe(2);
    expect(result.err).toBe('berth: unknown command "deplyo"; did you mean "deploy"? (see berth help)');
    expect((await cli(["project", "lst"])).err).toContain('did you mean "project list"?');
  });

  test("an unknown flag suggests the closest one of that verb", async () => {
    const result = await cli(["status", "shop", "dev", "--jsn"]);
    expect(result.code).toBe(2);
    expect(result.err.split("\n")[0]).toBe("berth status: unknown option --jsn; did you mean --json?");
  });

  test("berth help VERB is berth VERB --help; berth help lists every command", async () => {
    expect((await cli(["help", "deploy"])).out).toBe((await cli(["deploy", "--help"])).out);
    const all = await cli(["help"]);
    expect(all.code).toBe(0);
    for (const verb of VERBS) expect(all.out).toContain(`  ${verb.name}`);
  });

  test("every read verb with --json lists it in its help", async () => {
    const withJson = VERBS.filter((v) => v.options && "json" in v.options);
    expect(withJson.length).toBeGreaterThan(5);
    for (const verb of withJson) expect((await cli([...verb.name.split(" "), "--help"])).out).toContain("--json");
  });

  test("destructive verbs refuse without --yes when there is no terminal, before calling anything", async () => {
    for (const argv of [["project", "delete", "shop"], ["env", "delete", "shop", "dev"], ["env", "delete", "shop", "dev", "--purge-volumes"]]) {
      const result = await cli(argv);
      expect(result.code).toBe(2);
      expect(result.err).toContain("pass --yes to confirm");
    }
  });

  test("on a terminal, a destructive verb goes on only when the name is typed back", async () => {
    const asked: string[] = [];
    const wrong = await cli(["project", "delete", "shop"], { ask: async (q) => (asked.push(q), "nope") });
    expect(wrong.code).toBe(2);
    expect(wrong.err).toContain("not confirmed: nothing was changed");
    expect(asked[0]).toContain('Type "shop" to confirm');
  });

  test("completion: verbs, sub-verbs and a verb's flags", async () => {
    expect(complete(["dep"], VERBS)).toEqual(["deploy"]);
    expect(complete(["env", ""], VERBS)).toEqual(["create", "delete", "list", "start", "stop"]);
    expect(complete(["status", "shop", "dev", "--j"], VERBS)).toEqual(["--json"]);
    for (const shell of ["bash", "zsh", "fish"]) {
      const script = await cli(["completion", shell]);
      expect(script.code).toBe(0);
      expect(script.out).toContain("berth __complete");
    }
    expect((await cli(["completion", "tcsh"])).code).toBe(2);
    expect((await cli(["__complete", "gatew"])).out).toBe("gateway");
  });

  test("colour only when asked for; tables align on visible width", () => {
    expect(painter(false)("running", "green")).toBe("running");
    expect(painter(true)("running", "green")).toBe("\x1b[32mrunning\x1b[0m");
    const text = table(["A", "B"], [[painter(true)("ok", "green"), "x"], ["longer", "y"]]);
    expect(text.replace(/\x1b\[[0-9;]*m/g, "").split("\n")).toEqual(["A       B", "ok      x", "longer  y"]);
  });

  test("relative times in tables", () => {
    const now = Date.parse("2026-01-10T12:00:00Z");
    expect(ago("2026-01-10T11:57:00.000Z", now)).toBe("3 min ago");
    expect(ago("2026-01-10T11:59:58Z", now)).toBe("just now");
    expect(ago("2026-01-10T07:00:00Z", now)).toBe("5 h ago");
    expect(ago("2026-01-08T12:00:00Z", now)).toBe("2 d ago");
    expect(ago("2025-10-01T00:00:00Z", now)).toBe("2025-10-01");
    expect(ago(null, now)).toBeNull();
  });
});
