// test-lane: fast (its fixtures quote imports of end-to-end helpers)
import { describe, expect, test } from "bun:test";
import { classify, laneOf } from "./test-lanes.ts";

const e2e = `import { startServe } from "./support/binary.ts";\nimport { docker } from "./support/sh.ts";\n`;

describe("test lanes", () => {
  test("a new end-to-end file under test/ lands in the slow lane without a list to edit", () => {
    for (const file of ["test/resilience.test.ts", "test/containers.test.ts", "test/state.test.ts", "test/isolation.test.ts"]) {
      expect(laneOf(file, e2e)).toBe("slow");
      expect(laneOf(file, `import { expect, test } from "bun:test";\n`)).toBe("slow");
    }
  });

  test("src tests are fast unless they import what reaches the engine, git servers or processes", () => {
    expect(laneOf("src/api/authz-matrix.test.ts", `import { apiHarness } from "../../test/support/state.ts";\n`)).toBe("fast");
    expect(laneOf("src/core/x.test.ts", `import { expect } from "bun:test";\nimport { parse } from "./parse.ts";\n`)).toBe("fast");
    expect(laneOf("src/adapters/runtime/docker/x.test.ts", `import { runtimeTestKit } from "./runtime-test-kit.ts";\n`)).toBe("slow");
    expect(laneOf("src/adapters/x.test.ts", `import Docker from "dockerode";\n`)).toBe("slow");
    expect(laneOf("src/adapters/git/x.test.ts", `import { tempDir } from "./local-repo.testing.ts";\n`)).toBe("slow");
    expect(laneOf("src/adapters/git/x.test.ts", `import { loadTestEnv } from "../../../test/support/test-env.ts";\n`)).toBe("slow");
  });

  test("a marker line overrides the rules: fast, or sequential for timing-sensitive files", () => {
    expect(laneOf("test/layers.test.ts", `import { test } from "bun:test";\n// test-lane: fast\n`)).toBe("fast");
    expect(laneOf("test/resilience.test.ts", `// test-lane: sequential\n${e2e}`)).toBe("sequential");
    // A mention inside a string or a longer comment is not a marker.
    expect(laneOf("test/x.test.ts", `const s = "// test-lane: fast";\n`)).toBe("slow");
  });

  test("every test file of the repository has a lane; the end-to-end ones are not fast", () => {
    const lanes = Object.fromEntries(classify(`${import.meta.dir}/..`).map((c) => [c.file, c.lane]));
    expect(lanes["test/deploy.test.ts"]).not.toBe("fast");
    expect(lanes["test/builds.test.ts"]).not.toBe("fast");
    expect(lanes["src/api/api.test.ts"]).toBe("fast");
    expect(lanes["test/layers.test.ts"]).toBe("fast");
  });
});
