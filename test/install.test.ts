import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./support/binary.ts";
import { eventually } from "./support/eventually.ts";
import { docker, sh } from "./support/sh.ts";
import { loadTestEnv } from "./support/test-env.ts";

// install.sh end to end: systemd as PID 1 in a container on the host's network, the host's
// Docker engine through its socket, the release binary and the script from a local HTTP server.
setDefaultTimeout(300_000);
const env = loadTestEnv();
const ROOT = join(import.meta.dir, "..");
const SUFFIX = crypto.randomUUID().slice(0, 6);
const CONTAINER = `berth-install-${SUFFIX}`;
const PROJECT = `inst${SUFFIX}`;
/** Built once from the local Debian base image and reused by tag, like the other base images. */
const SYSTEMD_IMAGE = "berth-base/systemd:bookworm";
const ports = { api: freePort(), edge: freePort(), https: freePort(), metrics: freePort() };
const files = new Map<string, Uint8Array>();
let http: ReturnType<typeof Bun.serve>;
const MIGRATE_REQ = "/proc/sys/net/ipv4/tcp_migrate_req";
let migrateReqBefore = "";
let home: string;

/**
 * A command inside the container; its output and exit status. Asynchronous: this process
 * serves the downloads and runs the load loop while the container works.
 */
async function inside(command: string, extraEnv: Record<string, string> = {}) {
  const flags = Object.entries(extraEnv).flatMap(([k, v]) => ["-e", `${k}=${v}`]);
  const proc = Bun.spawn(["docker", "exec", ...flags, CONTAINER, "sh", "-c", command], { stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, out, err };
}
const settings = () => ({
  BERTH_DOWNLOAD_URL: `http://127.0.0.1:${http.port}/release`,
  BERTH_API_LISTEN: `127.0.0.1:${ports.api}`,
  BERTH_EDGE_LISTEN: `127.0.0.1:${ports.edge}`,
  BERTH_EDGE_HTTPS_LISTEN: `127.0.0.1:${ports.https}`,
  BERTH_EDGE_METRICS_LISTEN: `127.0.0.1:${ports.metrics}`,
});
const installer = (args = "") => inside(`curl -fsSL http://127.0.0.1:${http.port}/install.sh | sh${args ? ` -s -- ${args}` : ""}`, settings());
const site = () => fetch(`http://127.0.0.1:${ports.edge}/`, { headers: { Host: `web.dev.${PROJECT}.localhost` }, signal: AbortSignal.timeout(5000) });
/** What a second run must leave alone: files by checksum, processes by pid. */
const fingerprint = async () =>
  (await inside("sha256sum /usr/local/bin/berth /etc/berth/berth.env /etc/systemd/system/berth.service /etc/systemd/system/berth-edge.service; systemctl show -p MainPID --value berth berth-edge")).out;

function ensureSystemdImage() {
  if (docker(["image", "inspect", SYSTEMD_IMAGE]).code === 0) return;
  const dockerfile = `FROM ${env.images.debian}
RUN apt-get update \\
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends systemd systemd-sysv curl ca-certificates \\
 && apt-get clean && rm -rf /var/lib/apt/lists/* \\
 && systemctl mask getty@tty1.service serial-getty@.service systemd-logind.service console-getty.service
STOPSIGNAL SIGRTMIN+3
CMD ["/sbin/init"]
`;
  const built = sh(["docker", "build", "-t", SYSTEMD_IMAGE, "-"], { stdin: dockerfile });
  if (built.code !== 0) throw new Error(`building ${SYSTEMD_IMAGE} failed: ${built.err || built.out}`);
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), "berth-install-"));
  ensureSystemdImage();
  const release = sh([process.execPath, join(ROOT, "scripts/release.ts"), "--only", "x64"], { cwd: ROOT });
  if (release.code !== 0) throw new Error(`bun run release failed: ${release.err}`);
  files.set("/install.sh", readFileSync(join(ROOT, "install.sh")));
  files.set("/release/berth-linux-x64", readFileSync(join(ROOT, "dist/release/berth-linux-x64")));
  files.set("/release/SHA256SUMS", readFileSync(join(ROOT, "dist/release/SHA256SUMS")));
  http = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: (req) => {
      const body = files.get(new URL(req.url).pathname);
      return body ? new Response(body as Uint8Array<ArrayBuffer>) : new Response("not found", { status: 404 });
    },
  });
  // The flags systemd 252 boots with on these machines (--privileged is refused here).
  const run = docker([
    "run", "-d", "--name", CONTAINER, "--network", "host",
    "--cap-add", "ALL", "--cap-drop", "SYS_RESOURCE", "--security-opt", "seccomp=unconfined",
    "-v", "/sys/fs/cgroup:/sys/fs/cgroup:ro", "--tmpfs", "/run", "--tmpfs", "/run/lock",
    "-v", "/var/run/docker.sock:/var/run/docker.sock", SYSTEMD_IMAGE,
  ]);
  if (run.code !== 0) throw new Error(`docker run failed: ${run.err}`);
  await eventually(async () => /running|degraded/.test(((await inside("systemctl is-system-running"))).out), 60_000, "systemd boots in the container");
  // On a server /proc/sys is writable by root; docker mounts it read-only in a container. The
  // container shares the host's network namespace, so the installer's sysctl is the host's: put back in afterAll.
  migrateReqBefore = readFileSync(MIGRATE_REQ, "utf8").trim();
  await inside("mount -o remount,rw /proc/sys");
  // This engine is shared with other tests, whose labelled containers are not orphans of this install.
  await inside("mkdir -p /etc/systemd/system/berth.service.d && printf '[Service]\\nExecStart=\\nExecStart=/usr/local/bin/berth serve --fresh\\n' > /etc/systemd/system/berth.service.d/test.conf");
}, 900_000);

afterAll(() => {
  docker(["rm", "-f", CONTAINER]);
  if (migrateReqBefore) writeFileSync(MIGRATE_REQ, migrateReqBefore);
  const ids = docker(["ps", "-aq", "--filter", `label=berth.project=${PROJECT}`]).out.split("\n").filter(Boolean);
  if (ids.length) docker(["rm", "-f", ...ids]);
  docker(["network", "rm", `berth-${PROJECT}-dev`]);
  http?.stop(true);
  rmSync(home, { recursive: true, force: true });
});

describe("install.sh", () => {
  test("passes shellcheck", () => {
    const result = sh(["shellcheck", join(ROOT, "install.sh")]);
    expect(result.out + result.err).toBe("");
    expect(result.code).toBe(0);
  });

  test("curl | sh installs the binary, a private data dir, both units running, and the API and edge answer", async () => {
    const result = await installer();
    expect(result.code).toBe(0);
    expect(result.out).toContain("Berth is installed and running");
    expect(result.out).toContain(`http://127.0.0.1:${ports.api}/`);
    expect((await inside("systemctl is-active berth berth-edge")).out.trim().split("\n")).toEqual(["active", "active"]);
    expect((await inside("stat -c %a /var/lib/berth")).out.trim()).toBe("700");
    expect((await inside("grep -x BERTH_EDGE_PROCESS=external /etc/berth/berth.env")).code).toBe(0);
    // The edge handover on upgrade moves connections queued on the old edge's port instead of resetting them.
    expect((await inside("cat /etc/sysctl.d/60-berth.conf /proc/sys/net/ipv4/tcp_migrate_req | grep -v '^#'")).out).toBe("net.ipv4.tcp_migrate_req = 1\n1\n");
    expect((await inside("/usr/local/bin/berth --version")).out).toMatch(/^berth \d+\.\d+\.\d+ \(commit [0-9a-f]+/);
    await eventually(async () => (await fetch(`http://127.0.0.1:${ports.api}/healthz`)).ok, 30_000, "the API answers /healthz");
    expect((await (await fetch(`http://127.0.0.1:${ports.metrics}/healthz`)).json()).status).toBe("ok");
    const version = (await inside("berth version")).out;
    expect(version).toContain(`server: berth`);
    expect(version).toContain(`127.0.0.1:${ports.metrics}`);
  });

  test("a project deploys and answers through the edge; restarting the control plane keeps it answering", async () => {
    const project = `project: ${PROJECT}
blocks:
  web:
    kind: website
    image: ${env.images.busybox}
    command: [sh, -c, "mkdir -p /www && echo installed > /www/index.html && httpd -f -p 8080 -h /www"]
    port: 8080
environments:
  dev: {}
`;
    writeFileSync(join(home, "berth.yaml"), project);
    expect(docker(["cp", join(home, "berth.yaml"), `${CONTAINER}:/root/berth.yaml`]).code).toBe(0);
    const applied = await inside("cd /root && berth apply -f berth.yaml && berth deploy " + PROJECT + " dev");
    expect([applied.code, applied.err]).toEqual([0, ""]);
    await eventually(async () => (await site()).status === 200, 60_000, "the site answers through the installed edge");
    expect(await (await site()).text()).toBe("installed\n");

    const edgePid = (await inside("systemctl show -p MainPID --value berth-edge")).out.trim();
    let failures = 0;
    let requests = 0;
    let done = false;
    const loop = (async () => {
      while (!done) {
        requests++;
        try {
          if ((await site()).status !== 200) failures++;
        } catch {
          failures++;
        }
      }
    })();
    expect((await inside("systemctl restart berth")).code).toBe(0);
    await eventually(async () => (await fetch(`http://127.0.0.1:${ports.api}/healthz`)).ok, 30_000, "serve is back");
    done = true;
    await loop;
    expect(requests).toBeGreaterThan(0);
    expect(failures).toBe(0);
    // The edge is its own unit: the control plane's restart did not touch it.
    expect((await inside("systemctl show -p MainPID --value berth-edge")).out.trim()).toBe(edgePid);
  });

  test("running the installer a second time changes nothing", async () => {
    const before = await fingerprint();
    const again = await installer();
    expect(again.code).toBe(0);
    expect(again.out).toContain("is up to date");
    expect(await fingerprint()).toBe(before);
  });

  test("a binary that does not match SHA256SUMS is refused with nothing installed", async () => {
    const original = files.get("/release/berth-linux-x64")!;
    const before = (await inside("sha256sum /usr/local/bin/berth")).out;
    const tampered = new Uint8Array(original);
    tampered[tampered.length - 100]! ^= 0xff;
    files.set("/release/berth-linux-x64", tampered);
    try {
      const result = await installer();
      expect(result.code).toBe(1);
      expect(result.err).toContain("checksum mismatch for berth-linux-x64");
      expect(result.err).toContain("nothing was installed");
      expect((await inside("sha256sum /usr/local/bin/berth")).out).toBe(before);
    } finally {
      files.set("/release/berth-linux-x64", original);
    }
  });

  test("berth upgrade --file under a continuous load: no failed request, and both processes report the new version", async () => {
    const next = join(home, "next");
    const built = sh([process.execPath, join(ROOT, "scripts/release.ts"), "--only", "x64", "--version", "0.1.1-next", "--out", next], { cwd: ROOT });
    expect(built.code).toBe(0);
    expect(docker(["cp", join(next, "berth-linux-x64"), `${CONTAINER}:/root/berth-next`]).code).toBe(0);
    const edgePid = (await inside("systemctl show -p MainPID --value berth-edge")).out.trim();
    let failures = 0;
    let requests = 0;
    let done = false;
    const errors: string[] = [];
    const loop = (async () => {
      while (!done) {
        requests++;
        try {
          const response = await site();
          if (response.status !== 200 || (await response.text()) !== "installed\n") failures++;
        } catch (error) {
          failures++;
          errors.push((error as Error).message);
        }
      }
    })();
    const upgraded = await inside("berth upgrade --file /root/berth-next");
    done = true;
    await loop;
    expect([upgraded.code, upgraded.err]).toEqual([0, ""]);
    expect(upgraded.out).toContain("upgrade: done, berth 0.1.1-next");
    expect(requests).toBeGreaterThan(20);
    expect({ failures, errors: errors.slice(0, 3) }).toEqual({ failures: 0, errors: [] });
    const versions = JSON.parse((await inside("berth version --json")).out);
    expect(versions.cli.version).toBe("0.1.1-next");
    expect(versions.server.version).toBe("0.1.1-next");
    expect(versions.edge.version).toBe("0.1.1-next");
    expect((await inside("systemctl show -p MainPID --value berth-edge")).out.trim()).not.toBe(edgePid);
    expect((await inside("systemctl is-active berth berth-edge")).out.trim().split("\n")).toEqual(["active", "active"]);
    expect((await inside("systemctl list-units --no-legend 'berth-edge-handover-*'")).out.trim()).toBe("");
  }, 600_000);

  test("--uninstall removes the units and the binary and keeps the data dir", async () => {
    const result = await installer("--uninstall");
    expect(result.code).toBe(0);
    expect((await inside("test -e /usr/local/bin/berth || test -e /etc/sysctl.d/60-berth.conf")).code).not.toBe(0);
    expect((await inside("test -e /etc/systemd/system/berth.service || test -e /etc/systemd/system/berth-edge.service")).code).not.toBe(0);
    expect((await inside("systemctl is-active berth-edge")).out.trim()).not.toBe("active");
    expect((await inside("test -s /var/lib/berth/berth.db && test -s /var/lib/berth/secret.key")).code).toBe(0);
    const purge = await installer("--uninstall --purge");
    expect(purge.code).toBe(1);
    expect(purge.err).toContain("BERTH_PURGE=yes");
    expect((await inside("test -d /var/lib/berth")).code).toBe(0);
  });
});
