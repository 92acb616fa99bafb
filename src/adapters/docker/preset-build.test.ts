// Generated preset Dockerfiles built and run on the real Docker engine; see build-test-kit.ts.
// The presets point at the local base images through the PresetImages override, as a config would.
import { describe, expect, test } from "bun:test";
import { DEFAULT_PRESET_IMAGES, type PresetInput, renderPresetDockerfile } from "../../core/build-presets.ts";
import { failure, sh, useBuildTestKit } from "./build-test-kit.ts";

const { env, builder, context, request, dockerRun, dockerStart } = useBuildTestKit();
const baseImages = { ...DEFAULT_PRESET_IMAGES, python: env.images.python, node: env.images.node, static: env.images.busybox };

const presetRequest = (files: Record<string, string>, input: Omit<PresetInput, "baseImages">) =>
  request(context(files), { dockerfileText: renderPresetDockerfile({ ...input, baseImages }) });

async function fetchWhenUp(url: string): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    try {
      const response = await fetch(url);
      if (response.ok) return await response.text();
    } catch (error) {
      if (attempt > 50) throw error;
    }
    await Bun.sleep(100);
  }
}

describe("preset builds (real engine)", () => {
  test("a python preset builds and starts with only build and start commands", async () => {
    const { req } = presetRequest(
      { "app.py": 'import os\nprint("port", os.environ["PORT"], open("built.txt").read().strip())\n' },
      { preset: "python", command: "echo built-by-preset > built.txt", start: "python3 app.py", port: 5000 },
    );
    await builder.build(req);
    expect(dockerRun(req.tag)).toEqual({ code: 0, out: "port 5000 built-by-preset" });
  });

  test("a command with quotes, backslashes, $(...) and a newline followed by RUN runs as one shell script", async () => {
    const command = `printf '%s\\n' "a\\"b \\\\ $(echo sub)" > proof.txt\necho 'RUN touch /pwned' >> proof.txt`;
    const { req } = presetRequest({ "app.py": "" }, { preset: "python", command, start: "python3 app.py" });
    await builder.build(req);
    const check = "cat /app/proof.txt; if [ -e /pwned ]; then echo PWNED; else echo clean; fi";
    expect(dockerRun(req.tag, "sh", "-c", check)).toEqual({ code: 0, out: 'a"b \\ sub\nRUN touch /pwned\nclean' });
  });

  test("a static preset builds with node and serves the output folder on $PORT", async () => {
    const build = `mkdir -p dist && node -e "require('fs').writeFileSync('dist/index.html', 'built by node ' + process.version)"`;
    const { req } = presetRequest({ "src/page.md": "# source, not served\n" }, { preset: "static", command: build, output: "dist", port: 8080 });
    await builder.build(req);
    const id = dockerStart("-p", "127.0.0.1::8080", req.tag);
    const hostPort = sh(["docker", "port", id, "8080/tcp"]).out.split("\n")[0]!.split(":").pop();
    expect(await fetchWhenUp(`http://127.0.0.1:${hostPort}/`)).toStartWith("built by node v");
    expect((await fetch(`http://127.0.0.1:${hostPort}/src/page.md`)).status).toBe(404);
  });

  test("a failing preset command is reported as the command, not as its JSON form", async () => {
    const { req } = presetRequest({ "app.py": "" }, { preset: "python", command: "echo about to fail && exit 7" });
    expect((await failure(builder.build(req))).message).toBe('step "RUN echo about to fail && exit 7" failed with exit code 7');
  });
});
