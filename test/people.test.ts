import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { berth, startServe } from "./support/binary.ts";
import { eventually } from "./support/eventually.ts";
import { docker } from "./support/sh.ts";
import { loadTestEnv } from "./support/test-env.ts";

setDefaultTimeout(120_000);

const env = loadTestEnv();
const TAG = crypto.randomUUID().slice(0, 6);
const A = `peoplea${TAG}`;
const B = `peopleb${TAG}`;
const ANN_PASSWORD = "tall-ships-at-dawn-42";
const VIC_PASSWORD = "quiet-harbour-lights-7";
let server: Awaited<ReturnType<typeof startServe>>;
let ownerToken: string;

const projectFile = (project: string) => `project: ${project}
blocks:
  bg:
    kind: worker
    image: ${env.images.busybox}
    command: [sh, -c, "echo up; sleep 3600"]
environments:
  dev: {}
`;

/** A CLI with its own home: what `berth login` saves there is all it knows of the server. */
const person = () => {
  const home = mkdtempSync(join(tmpdir(), "berth-person-"));
  const personEnv = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, BERTH_DATA_DIR: join(home, "none") };
  const run = (args: string[], stdin?: string) => berth(args, personEnv, stdin);
  return Object.assign(run, { token: () => (JSON.parse(readFileSync(join(home, ".config/berth/credentials.json"), "utf8")) as { token: string }).token });
};

const api = (path: string, init: RequestInit & { token?: string } = {}) =>
  fetch(`${server.url}${path}`, { ...init, headers: { "Content-Type": "application/json", ...(init.token && { Authorization: `Bearer ${init.token}` }), ...(init.headers as Record<string, string>) } });

const containersOf = (project: string) => docker(["ps", "-aq", "--filter", `label=berth.project=${project}`]).out.split("\n").filter(Boolean);

beforeAll(async () => {
  server = await startServe(["--no-edge"], { metricsInterval: "1s" });
  ownerToken = readFileSync(join(server.dataDir, "admin.token"), "utf8").trim();
  for (const project of [A, B]) {
    const file = join(server.home, `${project}.yaml`);
    writeFileSync(file, projectFile(project));
    expect((await server.run(["apply", "-f", file])).code).toBe(0);
  }
  const deployed = await server.run(["deploy", B, "dev"]);
  if (deployed.code !== 0) throw new Error(`deploy ${B}: ${deployed.stderr}`);
}, 180_000);

afterAll(async () => {
  await server?.close();
  for (const project of [A, B]) {
    const ids = containersOf(project);
    if (ids.length) docker(["rm", "-f", ...ids]);
    docker(["network", "rm", `berth-${project}-dev`]);
  }
});

describe("people on the compiled binary", () => {
  test("ann is invited, sets her password, logs in with the CLI, deploys her project and sees nothing of the other", async () => {
    const added = await server.run(["user", "add", "ann", "--role", "none", "--json"]);
    expect(added.code).toBe(0);
    const { invitation } = JSON.parse(added.stdout) as { invitation: { url: string } };
    expect(invitation.url).toStartWith(`${server.url}/invite/`);
    const link = invitation.url.split("/invite/")[1]!;
    expect(await (await api(`/auth/invitations/${link}`)).json()).toMatchObject({ user: "ann" });
    const accepted = await api(`/auth/invitations/${link}`, { method: "POST", body: JSON.stringify({ password: ANN_PASSWORD }) });
    expect(accepted.status).toBe(200);
    expect((await server.run(["member", "add", A, "ann", "--role", "member"])).code).toBe(0);

    const ann = person();
    const login = await ann(["login", server.url, "--user", "ann", "--password-stdin"], `${ANN_PASSWORD}\n`);
    expect(login.stderr).toBe("");
    expect(login.stdout).toContain("as ann");
    const deployed = await ann(["deploy", A, "dev"]);
    expect({ code: deployed.code, stderr: deployed.stderr }).toEqual({ code: 0, stderr: "" });

    const listed = await ann(["project", "list", "--json"]);
    expect((JSON.parse(listed.stdout) as { name: string }[]).map((p) => p.name)).toEqual([A]);
    const shown = await ann(["project", "show", B]);
    expect([shown.code, shown.stderr]).toEqual([1, expect.stringContaining(`project "${B}" not found`)]);
    const logs = await ann(["logs", B, "dev", "--tail", "5"]);
    expect([logs.code, logs.stderr]).toEqual([1, expect.stringContaining("not found")]);
    const token = ann.token();
    const stream = await api(`/api/projects/${B}/environments/dev/logs/stream`, { token });
    expect(stream.status).toBe(404);
    await stream.body?.cancel();
    expect((await api(`/api/projects/${B}`, { token })).status).toBe(404);

    // Both projects run; the owner's scrape shows both, ann's only hers.
    await eventually(async () => (await (await api("/metrics", { token: ownerToken })).text()).includes(`project="${A}"`), 30_000, "A's series in /metrics");
    const owners = await (await api("/metrics", { token: ownerToken })).text();
    expect(owners).toContain(`project="${B}"`);
    const hers = await (await api("/metrics", { token })).text();
    expect(hers).toContain(`project="${A}"`);
    expect(hers).not.toContain(`project="${B}"`);
    expect(hers).not.toMatch(/^berth_machine_cpu_percent /m);

    const audit = await server.run(["audit", "--project", A, "--json"]);
    const entries = JSON.parse(audit.stdout) as { user: string; action: string; outcome: string; via: string; route: string }[];
    expect(entries.find((e) => e.user === "ann" && e.action === "deploy")).toMatchObject({ outcome: "ok", route: "/api/projects/:project/environments/:env/deploys" });
  });

  test("a viewer's changes are 403; 10 wrong passwords lock the 11th try out; cookie changes need the server's own Origin", async () => {
    expect((await server.run(["user", "add", "vic", "--role", "viewer", "--password-stdin"], `${VIC_PASSWORD}\n`)).code).toBe(0);
    const trade = await api("/auth/token", { method: "POST", body: JSON.stringify({ user: "vic", password: VIC_PASSWORD }) });
    const { token } = (await trade.json()) as { token: string };
    expect((await api(`/api/projects/${A}/environments/dev/restart`, { method: "POST", token, body: "{}" })).status).toBe(403);
    expect((await api(`/api/projects/${A}`, { token })).status).toBe(200);

    const signIn = (password: string, from: string) =>
      api("/auth/session", { method: "POST", headers: { "X-Real-IP": from }, body: JSON.stringify({ user: "vic", password }) });
    const session = await signIn(VIC_PASSWORD, "198.51.100.20");
    const cookie = /berth_session=[^;]+/.exec(session.headers.get("set-cookie") ?? "")![0];
    const restart = (origin?: string) => api(`/api/projects/${B}/environments/dev/restart`, { method: "POST", headers: { Cookie: cookie, ...(origin && { Origin: origin }) }, body: "{}" });
    expect((await restart()).status).toBe(403);
    expect((await restart("https://attacker.example")).status).toBe(403);
    // Past the Origin check, vic's viewer role is what refuses: the answer names the role, not the origin.
    const own = await restart(server.url);
    expect([own.status, ((await own.json()) as { detail: string }).detail]).toEqual([403, expect.stringContaining("needs the member role")]);

    for (let i = 0; i < 10; i++) expect((await signIn(`not-the-password-${i}`, "198.51.100.30")).status).toBe(401);
    const locked = await signIn(VIC_PASSWORD, "198.51.100.30");
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(0);
  });
});
