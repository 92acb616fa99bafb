import { describe, expect, test } from "bun:test";
import { BerthError } from "./core/errors.ts";
import { checkOrphans } from "./start-checks.ts";

const found = { containers: 3, volumes: 1, environments: ["shop/dev", "shop/prod"] };

describe("an empty state beside Berth-labelled objects", () => {
  test("nothing labelled: start, nothing to say", () => {
    expect(checkOrphans({ containers: 0, volumes: 0, environments: [] }, "refuse", "/d/berth.db")).toEqual([]);
  });

  test("refused by default with one message naming what was found, the restore and both choices", () => {
    let error: unknown;
    try {
      checkOrphans(found, "refuse", "/d/berth.db");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BerthError);
    const message = (error as BerthError).message;
    expect(message).toStartWith("refusing to start as a fresh install: /d/berth.db holds no state but the Docker engine has 3 container(s) and 1 volume(s) labelled berth.managed=true (shop/dev, shop/prod)");
    for (const part of ["berth backup restore", "--adopt-orphans", "--fresh"]) expect(message).toContain(part);
    expect(message).not.toContain("\n");
  });

  test("each choice starts and says what happens to the objects", () => {
    expect(checkOrphans(found, "fresh", "/d/berth.db")).toEqual(["state: starting empty; left alone: 3 container(s) and 1 volume(s) labelled berth.managed=true (shop/dev, shop/prod)"]);
    expect(checkOrphans(found, "adopt", "/d/berth.db")[0]).toBe("state: starting empty and adopting 3 container(s) and 1 volume(s) labelled berth.managed=true (shop/dev, shop/prod)");
  });
});
