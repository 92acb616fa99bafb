// Builds on the real Docker engine; see build-test-kit.ts (fails, never skips, without one).
import { describe, expect, test } from "bun:test";
import { containersWith, failure, sh, useBuildTestKit } from "./build-test-kit.ts";

const { env, builder, run, labels, context, request, dockerRun } = useBuildTestKit();

describe("image builder (real engine)", () => {
  test("builds a Dockerfile whose image runs and prints the expected output", async () => {
    const big = "0123456789abcdef".repeat(256 * 1024); // 4 MiB: the tar really streams
    const dir = context({
      Dockerfile: `FROM ${env.images.busybox}\nCOPY hello.txt big.bin /\nCMD ["sh", "-c", "cat /hello.txt; wc -c < /big.bin"]\n`,
      "hello.txt": "hello from berth\n",
      "big.bin": big,
    });
    const { req, log } = request(dir);
    const { imageId } = await builder.build(req);

    expect(imageId).toStartWith("sha256:");
    expect(log.some((line) => /^Step 1\/\d+ : FROM /.test(line))).toBe(true);
    expect(dockerRun(req.tag)).toEqual({ code: 0, out: `hello from berth\n${big.length}` });
    expect(await builder.findImage(req.tag)).toBe(imageId);
    const listed = await builder.listImages({ "berth.test.run": run });
    expect(listed.find((image) => image.id === imageId)).toMatchObject({ tags: [req.tag], labels });
  });

  test("a Dockerfile in a subfolder, with .dockerignore excluding a file and symlinks kept as links", async () => {
    const dir = context({
      "deploy/Dockerfile": `FROM ${env.images.busybox}\nCOPY . /ctx\n`,
      ".dockerignore": "secret.env\nlogs\n!logs/keep.log\n",
      "secret.env": "TOKEN=hunter2\n",
      "app.txt": "app\n",
      "logs/drop.log": "",
      "logs/keep.log": "",
      "host-file": { link: "/etc/hostname" },
    });
    const { req } = request(dir, { dockerfile: "deploy/Dockerfile" });
    await builder.build(req);
    const check = 'test ! -e /ctx/secret.env && test ! -e /ctx/logs/drop.log && test -e /ctx/logs/keep.log && cat /ctx/app.txt && readlink /ctx/host-file';
    expect(dockerRun(req.tag, "sh", "-c", check)).toEqual({ code: 0, out: "app\n/etc/hostname" });
  });

  test("build args and target pick the stage and its values", async () => {
    const dir = context({
      Dockerfile: [
        `FROM ${env.images.busybox} AS first`,
        "ARG GREETING=default",
        'RUN echo "first: $GREETING" > /out',
        `FROM ${env.images.busybox} AS second`,
        "RUN echo second > /out",
        "",
      ].join("\n"),
    });
    const { req } = request(dir, { target: "first", buildArgs: { GREETING: "hello 'there' $HOME" } });
    await builder.build(req);
    expect(dockerRun(req.tag, "cat", "/out")).toEqual({ code: 0, out: "first: hello 'there' $HOME" });
  });

  test("a missing Dockerfile fails before building", async () => {
    const { req, log } = request(context({ "app.txt": "" }), { dockerfile: "web/Dockerfile" });
    const error = await failure(builder.build(req));
    expect(error.code).toBe("invalid");
    expect(error.message).toBe('Dockerfile "web/Dockerfile" not found in the build context');
    expect(log).toEqual([]);
  });

  test("a failing RUN step names the step and its exit code", async () => {
    const dir = context({ Dockerfile: `FROM ${env.images.busybox}\nRUN echo building-${run} && exit 3\n` });
    const { req, log } = request(dir);
    const error = await failure(builder.build(req));
    expect(error.code).toBe("invalid");
    expect(error.message).toBe(`step "RUN echo building-${run} && exit 3" failed with exit code 3`);
    expect(log).toContain(`building-${run}`);
    expect(await builder.findImage(req.tag)).toBeNull();
    expect(containersWith(`building-${run}`)).toEqual([]);
  });

  test("a base image the engine does not have fails naming the FROM step", async () => {
    const { req } = request(context({ Dockerfile: `FROM berth-test/no-such-base-${run}:1\nRUN true\n` }));
    const error = await failure(builder.build(req));
    expect(error.code).toBe("invalid");
    expect(error.message).toStartWith(`step "FROM berth-test/no-such-base-${run}:1" failed: `);
  });

  test("removeImage never forces: an image in use stays, a missing one is fine", async () => {
    const { req } = request(context({ Dockerfile: `FROM ${env.images.busybox}\nLABEL purpose=remove-${run}\n` }));
    const { imageId } = await builder.build(req);
    const created = sh(["docker", "create", "--label", "berth.test=1", req.tag]);
    if (created.code !== 0) throw new Error(`docker create failed: ${created.out}`);
    try {
      const error = await failure(builder.removeImage(imageId));
      expect(error.code).toBe("conflict");
      expect(await builder.findImage(req.tag)).toBe(imageId);
    } finally {
      sh(["docker", "rm", "-f", created.out]);
    }
    await builder.removeImage(imageId);
    expect(await builder.findImage(req.tag)).toBeNull();
    await builder.removeImage(imageId);
  });
});
