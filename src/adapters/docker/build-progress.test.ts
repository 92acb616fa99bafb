import { describe, expect, test } from "bun:test";
import { BuildProgress, describeBuildFailure, displayStep } from "./build-progress.ts";
import { formatDuration } from "./build-image.ts";

const MiB = 1024 * 1024;

describe("build progress", () => {
  test("stream chunks become whole lines; step and step container are tracked", () => {
    const lines: string[] = [];
    const progress = new BuildProgress((line) => lines.push(line));
    for (const stream of ["Step 1/2 : FROM debian", "\n", " ---> b9c24d5ceca9\n", "Step 2/2 : RUN make", "\n"]) progress.handle({ stream });
    progress.handle({ stream: " ---> Running in 41f08530d4a2\npart" });
    progress.handle({ stream: "ial\r50%\r100%\nno newline" });
    progress.flush();
    expect(lines).toEqual([
      "Step 1/2 : FROM debian",
      " ---> b9c24d5ceca9",
      "Step 2/2 : RUN make",
      " ---> Running in 41f08530d4a2",
      "100%",
      "no newline",
    ]);
    expect(progress.step).toBe("RUN make");
    expect(progress.container).toBe("41f08530d4a2");
  });

  test("the engine's colour codes are dropped, so a following builder line is still recognised", () => {
    const lines: string[] = [];
    const progress = new BuildProgress((line) => lines.push(line));
    progress.handle({ stream: "\u001b[91mnpm WARN deprecated\n\u001b[0m" });
    progress.handle({ stream: "Step 3/4 : RUN make\n\u001b[0m ---> Running in 0123456789ab\n" });
    expect(lines).toEqual(["npm WARN deprecated", "Step 3/4 : RUN make", " ---> Running in 0123456789ab"]);
    expect(progress.container).toBe("0123456789ab");
  });

  test("the first error event is kept and logged", () => {
    const lines: string[] = [];
    const progress = new BuildProgress((line) => lines.push(line));
    progress.handle({ errorDetail: { code: 1, message: "first" }, error: "first" });
    progress.handle({ error: "second" });
    expect(progress.error).toBe("first");
    expect(lines).toEqual(["first", "second"]);
  });

  test("pull status lines are logged, their byte counters are not", () => {
    const lines: string[] = [];
    const progress = new BuildProgress((line) => lines.push(line));
    progress.handle({ status: "Pulling fs layer", id: "abc" });
    progress.handle({ status: "Downloading", id: "abc", progressDetail: { current: 10, total: 100 } });
    expect(lines).toEqual(["abc: Pulling fs layer"]);
  });
});

describe("build failure messages", () => {
  test("a failing RUN names the step and its exit code", () => {
    const message = "The command '/bin/sh -c npm ci' returned a non-zero code: 1";
    expect(describeBuildFailure(message, "RUN npm ci", 512 * MiB)).toBe('step "RUN npm ci" failed with exit code 1');
  });

  test("exit code 137 and OOM messages read as out of memory", () => {
    expect(describeBuildFailure("The command '/bin/sh -c x' returned a non-zero code: 137", "RUN x", 256 * MiB)).toBe(
      "out of memory: the build used more than 256 MiB",
    );
    expect(describeBuildFailure("failed to copy: write /x: cannot allocate memory", undefined, 1024 * MiB)).toBe(
      "out of memory: the build used more than 1024 MiB",
    );
  });

  test("a failing FROM names the image, which the registry's error does not", () => {
    expect(describeBuildFailure('Get "https://registry-1.docker.io/v2/": no such host', "FROM acme/nope:1 AS build", MiB)).toBe(
      'step "FROM acme/nope:1 AS build" failed: Get "https://registry-1.docker.io/v2/": no such host',
    );
  });

  test("other engine messages pass through as their first line", () => {
    expect(describeBuildFailure("COPY failed: no source files were specified\nmore detail", "COPY *.txt /", MiB)).toBe(
      "COPY failed: no source files were specified",
    );
  });

  test("generated exec-form steps read as the command they run", () => {
    expect(displayStep('RUN ["sh","-c","npm ci && npm run build"]')).toBe("RUN npm ci && npm run build");
    expect(displayStep('RUN ["sh","-c","one\\ntwo"]')).toBe("RUN one");
    expect(displayStep('RUN ["make","all"]')).toBe("RUN make all");
    expect(displayStep("RUN [broken json")).toBe("RUN [broken json");
    expect(displayStep(`RUN ${"x".repeat(200)}`)).toHaveLength(120);
  });

  test("durations read like Go's", () => {
    expect([900_000, 90_000, 3_600_000, 5_400_000, 1500].map(formatDuration)).toEqual(["15m", "1m30s", "1h", "1h30m", "1.5s"]);
  });
});
