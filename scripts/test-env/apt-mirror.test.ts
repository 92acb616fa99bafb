import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const script = join(import.meta.dir, "apt-mirror.sh");
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** An apt config dir with the given files (paths relative to it). */
function aptDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "berth-apt-"));
  dirs.push(dir);
  mkdirSync(join(dir, "sources.list.d"));
  for (const [path, text] of Object.entries(files)) writeFileSync(join(dir, path), text);
  return dir;
}

/** Runs only the detection function of setup.sh, as setup.sh sources it. */
function detect(dir: string, kind: "main" | "security") {
  const run = Bun.spawnSync(["bash", "-c", `set -Eeuo pipefail; source "$1"; debian_mirror "$2"`, "bash", script, kind], {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", APT_DIR: dir },
    stdout: "pipe",
    stderr: "pipe",
  });
  return { code: run.exitCode, out: run.stdout.toString().trim(), err: run.stderr.toString().trim() };
}

const DEB822 = `Types: deb
# a comment inside the stanza
URIs: http://mirror.example.test/debian/
Suites: bookworm bookworm-updates
Components: main

Types: deb
URIs: http://mirror.example.test/debian-security
Suites: bookworm-security
Components: main
`;

describe("the Debian mirror comes from the machine's own apt sources", () => {
  test("deb822 .sources files: main and security entries", () => {
    const dir = aptDir({ "sources.list.d/debian.sources": DEB822 });
    expect(detect(dir, "main")).toMatchObject({ code: 0, out: "http://mirror.example.test/debian" });
    expect(detect(dir, "security")).toMatchObject({ code: 0, out: "http://mirror.example.test/debian-security" });
  });

  test("the one-line sources.list, with options in brackets", () => {
    const dir = aptDir({
      "sources.list": "# deb http://commented.example.test/debian bookworm main\ndeb-src http://src.example.test/debian bookworm main\ndeb [arch=amd64 signed-by=/k.gpg] https://list.example.test/debian bookworm main\ndeb http://list.example.test/debian-security bookworm-security main\n",
    });
    expect(detect(dir, "main").out).toBe("https://list.example.test/debian");
    expect(detect(dir, "security").out).toBe("http://list.example.test/debian-security");
  });

  test("disabled stanzas, deb-src only and non-http URIs are skipped; deb822 wins over the one-line list", () => {
    const dir = aptDir({
      "sources.list.d/a.sources": "Types: deb\nURIs: http://off.example.test/debian\nSuites: bookworm\nEnabled: no\n\nTypes: deb-src\nURIs: http://src.example.test/debian\nSuites: bookworm\n\nTypes: deb\nURIs: cdrom:/media/ http://on.example.test/debian\nSuites: bookworm\n",
      "sources.list": "deb http://list.example.test/debian bookworm main\n",
    });
    expect(detect(dir, "main").out).toBe("http://on.example.test/debian");
  });

  test("no usable entry fails without output, so setup.sh can name the override", () => {
    expect(detect(aptDir({}), "main")).toMatchObject({ code: 1, out: "" });
  });
});
