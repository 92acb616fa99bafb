import { describe, expect, test } from "bun:test";
import { checkOwnImage } from "../builds/image-owner.ts";
import { BerthError } from "../errors.ts";
import { parseProjectFile } from "./parse.ts";

function problems(text: string): string[] {
  try {
    parseProjectFile(text);
  } catch (error) {
    if (!(error instanceof BerthError)) throw error;
    return error.issues.map((i) => `${i.path}: ${i.message}`);
  }
  return [];
}

describe("images of other projects", () => {
  test("an image Berth built for another project is refused at apply, in a block or an environment's override", () => {
    const file = `project: mine
blocks:
  a: { kind: worker, image: "berth/theirs/web:abc-def" }
  b: { kind: worker, image: "docker.io/berth/theirs/api:1" }
  c: { kind: worker, image: "berth/mine/web:abc" }
  d: { kind: worker, image: "berth/tools:1" }
environments:
  prod:
    blocks:
      d: { image: "berth/other/db@sha256:0123" }
`;
    expect(problems(file)).toEqual([
      'blocks.a.image: berth/theirs/web:abc-def is an image Berth built for project "theirs"; a project may only run its own images',
      'blocks.b.image: docker.io/berth/theirs/api:1 is an image Berth built for project "theirs"; a project may only run its own images',
      'environments.prod.blocks.d.image: berth/other/db@sha256:0123 is an image Berth built for project "other"; a project may only run its own images',
    ]);
  });

  test("at deploy, the labels of the image decide too, so an id or another tag is refused", () => {
    const labels = { "berth.managed": "true", "berth.project": "theirs" };
    expect(() => checkOwnImage("mine", "sha256:abc", labels)).toThrow('image sha256:abc was built by Berth for project "theirs"; a project may only run its own images');
    expect(() => checkOwnImage("mine", "berth/theirs/x:1", null)).toThrow(BerthError);
    expect(() => checkOwnImage("theirs", "sha256:abc", labels)).not.toThrow();
    expect(() => checkOwnImage("mine", "postgres:16", { "berth.project": "theirs" })).not.toThrow();
  });

  test("new block keys: a stop grace up to 1h, privileges restricted or standard, a user; not on kinds that do not run", () => {
    const ok = "project: p\nblocks:\n  w: { kind: worker, image: i, stopGracePeriod: 30s, security: { privileges: standard }, user: \"1000:1000\", resources: { pids: 64 } }\n";
    expect(parseProjectFile(ok).blocks.w).toMatchObject({ stopGracePeriod: "30s", security: { privileges: "standard" }, user: "1000:1000" });
    expect(problems("project: p\nblocks:\n  w: { kind: worker, image: i, stopGracePeriod: 2h, security: { privileges: root }, user: \"a b\", resources: { pids: 1 } }\n")).toEqual([
      "blocks.w.resources.pids: expected at least 16 processes",
      "blocks.w.stopGracePeriod: must be at most 1h",
      'blocks.w.security.privileges: expected one of restricted, standard',
      'blocks.w.user: expected a user such as "1000", "1000:1000" or "app:app"',
    ]);
    expect(problems("project: p\nblocks:\n  j: { kind: job, image: i, stopGracePeriod: 5s }\n")).toEqual(["blocks.j.stopGracePeriod: not used by a job block"]);
  });
});
