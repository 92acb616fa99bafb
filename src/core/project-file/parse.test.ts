import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseProjectFile } from "./parse.ts";
import { expectBerthError } from "../../../test/support/errors.ts";

const example = readFileSync(join(import.meta.dir, "../../../test/fixtures/example.berth.yaml"), "utf8");

/** The problems a file gets, as `path: message` lines. */
function problems(text: string): string[] {
  return expectBerthError(() => parseProjectFile(text)).issues.map((i) => `${i.path}: ${i.message}`);
}

const withBlock = (block: string) => `project: p\nblocks:\n  b:\n${block.replace(/^/gm, "    ")}\n`;

describe("berth.yaml", () => {
  test("the documented example is valid and keeps every key", () => {
    const file = parseProjectFile(example);
    expect(file.project).toBe("todo");
    expect(Object.keys(file.blocks)).toEqual(["web", "api", "db", "static-site", "nightly"]);
    expect(file.blocks.api!.build).toEqual({ preset: "node", version: "20", command: "npm ci && npm run build", start: "node dist/index.js" });
    expect(file.blocks.nightly!.schedule).toBe("0 3 * * *");
    expect(file.environments.prod!.blocks!.api!.resources).toEqual({ memory: "512Mi", cpu: 0.5 });
    expect(file.environments.prod!.autoDeploy).toBe(true);
  });

  test("environments default to one called dev", () => {
    expect(parseProjectFile("project: p\nblocks: {}\n").environments).toEqual({ dev: {} });
  });

  test("every problem is reported at once, each with its path", () => {
    const lines = problems("project: Bad\nblocks:\n  api:\n    kind: microservice\n    image: a:1\n    port: 0\n    prot: 1\n");
    expect(lines).toContain("blocks.api.port: expected a number from 1 to 65535");
    expect(lines).toContain('blocks.api.prot: unknown key (did you mean "port"?)');
    expect(lines.some((l) => l.startsWith("project: must be a DNS label"))).toBe(true);
    expect(lines).toHaveLength(3);
  });

  test("an unknown top-level key names the close match", () => {
    expect(problems("project: p\nblock: {}\n")).toContain('block: unknown key (did you mean "blocks"?)');
  });

  test("a misspelt kind names the kind that was meant", () => {
    expect(problems(withBlock("kind: websit\nimage: a:1"))[0]).toContain('did you mean "website"');
  });

  const classes: [string, string, string][] = [
    ["project name", "project: -bad-\nblocks: {}\n", "project: must be a DNS label"],
    ["long project name", `project: ${"a".repeat(41)}\nblocks: {}\n`, "project: at most 40 characters"],
    ["block name", "project: p\nblocks:\n  Web_1:\n    kind: worker\n    image: a:1\n", "blocks.Web_1: bad name"],
    ["environment name", "project: p\nblocks: {}\nenvironments:\n  PROD: {}\n", "environments.PROD: bad name"],
    ["port type", withBlock("kind: service\nimage: a:1\nport: http"), "blocks.b.port: expected a number from 1 to 65535"],
    ["git url", withBlock("kind: worker\ngit: { url: 'ftp://x/y' }"), "blocks.b.git.url: must be an https://"],
    ["git url option", withBlock("kind: worker\ngit: { url: '--upload-pack=touch /tmp/x' }"), "blocks.b.git.url: must not contain spaces"],
    ["git ref", withBlock("kind: worker\ngit: { url: 'https://x/y.git', ref: '--output=/tmp/x' }"), "blocks.b.git.ref: must be a valid git"],
    ["git ref command", withBlock("kind: worker\ngit: { url: 'https://x/y.git', ref: '$(id)' }"), "blocks.b.git.ref: must be a valid git"],
    ["repo path", withBlock("kind: worker\ngit: { url: 'https://x/y.git', path: '../../etc' }"), "blocks.b.git.path: must stay inside"],
    ["absolute repo path", withBlock("kind: worker\ngit: { url: 'https://x/y.git', path: /etc }"), "blocks.b.git.path: must be a relative path"],
    ["image", withBlock("kind: worker\nimage: 'a; rm -rf /'"), "blocks.b.image: must be an image reference"],
    ["env name", withBlock("kind: worker\nimage: a:1\nenv: { 'A-B': x }"), "blocks.b.env.A-B: bad name"],
    ["memory", withBlock("kind: worker\nimage: a:1\nresources: { memory: 1GB }"), "blocks.b.resources.memory: expected a size"],
    ["duration", withBlock("kind: job\nimage: a:1\ntrigger: manual\ntimeout: 10 minutes"), "blocks.b.timeout: expected a duration"],
    ["cron", withBlock("kind: job\nimage: a:1\nschedule: '* * *'"), "blocks.b.schedule: expected a 5-field cron"],
    ["cron values", withBlock("kind: job\nimage: a:1\nschedule: '99 * * * *'"), "blocks.b.schedule: expected a 5-field cron"],
    ["cron with 7 fields", withBlock("kind: job\nimage: a:1\nschedule: '0 0 3 * * * 2030'"), "blocks.b.schedule: expected a 5-field cron"],
    ["time zone", withBlock("kind: job\nimage: a:1\nschedule: '0 3 * * *'\ntimezone: Mars/Olympus"), "blocks.b.timezone: expected an IANA time zone"],
    ["time zone without a schedule", withBlock("kind: job\nimage: a:1\ntrigger: manual\ntimezone: UTC"), "blocks.b.timezone: only a job with a `schedule` uses it"],
    ["starting deadline", withBlock("kind: job\nimage: a:1\nschedule: '0 3 * * *'\nstartingDeadline: soon"), "blocks.b.startingDeadline: expected a duration"],
    ["expose", withBlock("kind: microservice\nimage: a:1\nport: 80\nexpose: private"), "blocks.b.expose: expected one of gateway, public, internal"],
    ["domain", withBlock("kind: website\nimage: a:1\nport: 80\ndomains: ['not a domain']"), "blocks.b.domains.0: expected a lowercase domain"],
    ["volume path", withBlock("kind: service\nimage: a:1\nport: 80\nvolumes: { data: 1Gi }"), "blocks.b.volumes.data: bad name"],
    ["replicas", withBlock("kind: worker\nimage: a:1\nreplicas: -1"), "blocks.b.replicas:"],
    ["password", withBlock("kind: website\nimage: a:1\nport: 80\npassword: 'yes please'"), "blocks.b.password:"],
  ];
  test("a job schedule may have a leading seconds field, a time zone and a starting deadline", () => {
    const file = parseProjectFile(withBlock("kind: job\nimage: a:1\nschedule: '*/2 * * * * *'\ntimezone: Europe/Paris\nstartingDeadline: 5m"));
    expect(file.blocks.b).toMatchObject({ schedule: "*/2 * * * * *", timezone: "Europe/Paris", startingDeadline: "5m" });
  });

  for (const [name, text, expected] of classes) {
    test(`bad ${name} is refused with its path`, () => {
      expect(problems(text).some((l) => l.startsWith(expected))).toBe(true);
    });
  }

  test("rules across keys: a source is needed, and keys must fit the kind", () => {
    expect(problems(withBlock("kind: worker"))).toContain("blocks.b: needs a source: `git` or `image`");
    expect(problems(withBlock("kind: worker\nimage: a:1\nport: 80"))).toContain("blocks.b.port: not used by a worker block");
    expect(problems(withBlock("kind: microservice\nimage: a:1"))).toContain("blocks.b.port: a microservice block needs a port");
    expect(problems(withBlock("kind: worker\nimage: a:1\nbuild: { preset: node }"))).toContain("blocks.b.build: a build needs a `git` source");
  });

  test("a gateway API cannot take the token endpoint's name", () => {
    const text = "project: p\nblocks:\n  auth:\n    kind: microservice\n    image: a:1\n    port: 80\n";
    expect(problems(text)[0]).toStartWith("blocks.auth: a gateway API cannot be called");
    expect(() => parseProjectFile(text.replace("port: 80", "port: 80\n    expose: public"))).not.toThrow();
  });

  test("an override must name an existing block and fit its kind", () => {
    const text = `${withBlock("kind: worker\nimage: a:1")}environments:\n  prod:\n    blocks:\n      nope: { replicas: 2 }\n      b: { domains: [a.example.com] }\n`;
    expect(problems(text)).toEqual([
      'environments.prod.blocks.nope: no block named "nope" in blocks',
      "environments.prod.blocks.b.domains: not used by a worker block",
    ]);
  });

  test("YAML syntax errors and duplicate keys are refused", () => {
    expect(problems("project: [unclosed\n")[0]).toMatch(/^line \d+:/);
    expect(problems("project: a\nproject: b\nblocks: {}\n")[0]).toContain("Map keys must be unique");
  });

  test("an anchors bomb is refused quickly", () => {
    const levels = ["a: &a [x,x,x,x,x,x,x,x,x,x]"];
    for (let i = 1; i < 9; i++) levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(",")}]`);
    const started = performance.now();
    expect(problems(`project: p\nblocks: {}\n${levels.join("\n")}\n`)[0]).toContain("resource exhaustion");
    expect(performance.now() - started).toBeLessThan(2000);
  });

  test("a 10 MB file is refused before parsing", () => {
    const huge = `project: p\nblocks: {}\n#${"x".repeat(10 * 1024 * 1024)}\n`;
    expect(() => parseProjectFile(huge)).toThrow("the limit is 1 MB");
  });

  test("scalars in env become strings, as a shell sees them", () => {
    const file = parseProjectFile(withBlock("kind: worker\nimage: a:1\nenv: { N: 3, B: true, S: x }"));
    expect(file.blocks.b!.env).toEqual({ N: "3", B: "true", S: "x" });
  });
});
