import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, freshBinary, startServe } from "./support/binary.ts";
import { eventually } from "./support/eventually.ts";
import { docker, sh } from "./support/sh.ts";
import { loadTestEnv } from "./support/test-env.ts";
import { tmuxSession } from "./support/tmux.ts";

setDefaultTimeout(60_000);
const env = loadTestEnv();
const TAG = crypto.randomUUID().slice(0, 6);
const PROJECT = `tui${TAG}`;
let server: Awaited<ReturnType<typeof startServe>>;
let term: ReturnType<typeof tmuxSession>;
const SSH_PORT = freePort();
const keyFile = (name: string) => join(server.home, `${name}_ed25519`);
/** The OpenSSH client with a throwaway known_hosts: argv for sh() or a tmux line. */
const sshArgs = (key: string, user: string) => ["ssh", "-i", keyFile(key), "-p", String(SSH_PORT), "-o", "StrictHostKeyChecking=no", "-o", `UserKnownHostsFile=${join(server.home, "known_hosts")}`, "-o", "IdentitiesOnly=yes", `${user}@127.0.0.1`];

// Prints a numbered line every second: the logs view must show new ones as they come.
const projectFile = `project: ${PROJECT}
blocks:
  web:
    kind: website
    image: ${env.images.busybox}
    port: 8080
    command: [sh, -c, "i=0; while true; do i=$((i+1)); echo tick-${TAG}-$i; sleep 1; done & httpd -f -p 8080 -h /tmp"]
environments:
  dev: {}
`;

const cli = async (args: string[]) => {
  const ran = await server.run(args);
  if (ran.code !== 0) throw new Error(`berth ${args.join(" ")}: ${ran.stderr}`);
  return ran.stdout;
};
/** Drawn for 80×24: the header on the first line, the keys on the last, nothing wrapped between. */
const fitsAt80 = (screen: string) => {
  const lines = screen.split("\n");
  return lines.length <= 24 && lines[0]!.startsWith("berth") && lines.at(-1)!.startsWith("<enter> open") && lines.slice(1, -2).every((l) => /^.{19}│/.test(l));
};
const tuiCommand = () => `${freshBinary()} tui --config ${join(server.home, "config.yaml")}`;

beforeAll(async () => {
  server = await startServe(["--no-edge"], { sshListen: `127.0.0.1:${SSH_PORT}` });
  for (const name of ["ann", "vic", "stranger"]) sh(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", keyFile(name)]);
  await cli(["user", "add", "ann", "--role", "member", "--ssh-key", `${keyFile("ann")}.pub`]);
  await cli(["user", "add", "vic", "--role", "viewer", "--ssh-key", `${keyFile("vic")}.pub`]);
  const file = join(server.home, "berth.yaml");
  writeFileSync(file, projectFile);
  await cli(["apply", "-f", file]);
  await cli(["deploy", PROJECT, "dev"]);
  term = tmuxSession(`tui${TAG}`, server.env);
  term.type(tuiCommand());
  term.keys("Enter");
}, 120_000);

afterAll(async () => {
  term?.close();
  await server?.close();
  const ids = docker(["ps", "-aq", "--filter", `label=berth.project=${PROJECT}`]).out.split("\n").filter(Boolean);
  if (ids.length) docker(["rm", "-f", ...ids]);
  docker(["network", "rm", `berth-${PROJECT}-dev`]);
});

test("the first screen names the user and lists the project with its blocks running", async () => {
  const screen = await term.waitFor(/web\s+website\s+running/);
  expect(screen).toMatch(/user \S+ \(owner\)/);
  expect(screen).toContain(PROJECT);
  expect(screen).toMatch(/^\s+dev\s/m);
  expect(screen).toContain("<d> deploy");
});

test("? shows the whole key map; any key closes it", async () => {
  term.type("?");
  const screen = await term.waitFor("KEYS (any key closes)");
  expect(screen).toContain("deploy the environment (shows the diff first)");
  expect(screen).toContain("quit and give the terminal back");
  term.type("?");
  await term.waitFor(/web\s+website\s+running/);
});

test("/ filters the project list; esc brings everything back", async () => {
  term.type("/");
  term.type("nomatch");
  await term.waitFor("nothing matches");
  term.keys("Enter");
  expect(term.screen()).not.toMatch(new RegExp(`^${PROJECT}`, "m"));
  term.keys("Escape");
  await term.waitFor(new RegExp(`^${PROJECT}`, "m"));
  term.type("/");
  term.type("dev");
  term.keys("Enter");
  await term.waitFor(/^PROJECTS \/dev/m);
  expect(term.screen()).toMatch(new RegExp(`^${PROJECT}`, "m"));
  term.keys("Escape");
  await term.waitFor(/^PROJECTS\s+│/m);
});

test("enter drills into the environment's blocks", async () => {
  term.keys("Enter");
  const screen = await term.waitFor(`BLOCKS ${PROJECT}/dev`);
  expect(screen).toMatch(/web\s+website\s+running\s+1\/1\s+#1/);
});

test("a deploy started from another terminal shows without a key press", async () => {
  await cli(["vars", "set", PROJECT, "dev", "web", "COLOUR=blue"]);
  await cli(["deploy", PROJECT, "dev", "--detach"]);
  await term.waitFor(/web\s+website\s+\S+\s+\d\/1\s+#2/, 15_000, "the block to show release #2");
  await term.waitFor(/web\s+website\s+running\s+1\/1\s+#2/, 15_000, "release #2 running");
});

test("d shows the diff, asks, deploys and says how it went", async () => {
  await cli(["vars", "set", PROJECT, "dev", "web", "COLOUR=green"]);
  term.type("d");
  const ask = await term.waitFor(`Deploy ${PROJECT}/dev?`);
  expect(ask).toContain("web: vars ~COLOUR");
  term.type("y");
  await term.waitFor(`release #3 of ${PROJECT}/dev`);
  await term.waitFor(/web\s+website\s+running\s+1\/1\s+#3/, 15_000, "release #3 running");
});

test(":logs follows the lines the app prints", async () => {
  term.type(":logs");
  term.keys("Enter");
  await term.waitFor(`LOGS ${PROJECT}/dev`);
  const first = await term.waitFor(new RegExp(`tick-${TAG}-\\d+`));
  // Whole lines with their times, not the highest counter: every release's replica counts from 1, and just
  // after a deploy the old one (with the higher count) may still print its last lines before it stops.
  const ticks = (screen: string) => new Set(screen.match(new RegExp(`\\d\\d:\\d\\d:\\d\\d \\S+ tick-${TAG}-\\d+\\b`, "g")) ?? []);
  const before = ticks(first);
  await eventually(() => [...ticks(term.screen())].filter((tick) => !before.has(tick)).length >= 2, 10_000, "two newer lines without a key press");
  expect(term.screen()).toContain("following");
});

test("at 80×24 the screen reflows: nothing runs past the edge, header and keys stay", async () => {
  term.keys("Escape");
  await term.waitFor(`BLOCKS ${PROJECT}/dev`);
  term.resize(80, 24);
  // tmux cuts nothing: a frame drawn for 100 columns would wrap and push the header off the top.
  await eventually(() => fitsAt80(term.screen()), 5000, "the screen to be drawn for 80×24");
  const lines = term.screen().split("\n");
  expect(lines.length).toBeLessThanOrEqual(24);
  expect(lines.every((l) => l.length <= 80)).toBe(true);
  expect(lines[0]).toContain("berth");
  expect(lines.at(-1)).toContain("<enter> open");
  expect(lines.join("\n")).toMatch(/web\s+website\s+running/);
});

test(":users lists the people with their global roles", async () => {
  term.type(":users");
  term.keys("Enter");
  await term.waitFor(/│ USERS/);
  const screen = await term.waitFor(/ann\s+member/);
  expect(screen).toMatch(/vic\s+viewer/);
  expect(screen).toMatch(/owner\s+owner/);
});

test("q gives the terminal back: the shell prompt returns and the TUI is gone", async () => {
  term.type("q");
  const screen = await term.waitFor(term.prompt.trim());
  expect(screen).not.toContain("PROJECTS");
  expect(screen).not.toContain("<d> deploy");
});

test("a viewer sees why d does nothing", async () => {
  const token = (await cli(["token", "create", `look${TAG}`, "--role", "viewer"])).trim().split(/\s+/).find((w) => w.startsWith("berth_"))!;
  expect(token).toBeTruthy();
  const viewer = tmuxSession(`view${TAG}`, { ...server.env, BERTH_URL: server.url, BERTH_TOKEN: token });
  try {
    viewer.type(`${freshBinary()} tui`);
    viewer.keys("Enter");
    await viewer.waitFor(/web\s+website\s+running/);
    expect(viewer.screen()).toContain("(viewer)");
    viewer.type("d");
    await viewer.waitFor("deploy needs the member role; you are viewer");
  } finally {
    viewer.close();
  }
});

test("over SSH a registered key reaches the same screen, and quitting closes the connection", async () => {
  const ssh = tmuxSession(`ssh${TAG}`, server.env);
  try {
    ssh.type(sshArgs("ann", "ann").join(" "));
    ssh.keys("Enter");
    const screen = await ssh.waitFor(/web\s+website\s+running/, 15_000);
    expect(screen).toContain("ann (member)");
    expect(screen).toContain(PROJECT);
    ssh.resize(80, 24);
    await eventually(() => fitsAt80(ssh.screen()), 5000, "the SSH screen to be drawn for 80×24");
    ssh.type("q");
    await ssh.waitFor("Connection to 127.0.0.1 closed");
  } finally {
    ssh.close();
  }
});

test("over SSH a viewer's d says why it does nothing", async () => {
  const ssh = tmuxSession(`vssh${TAG}`, server.env);
  try {
    ssh.type(sshArgs("vic", "vic").join(" "));
    ssh.keys("Enter");
    await ssh.waitFor(/web\s+website\s+running/, 15_000);
    ssh.type("d");
    await ssh.waitFor("deploy needs the member role; you are viewer");
  } finally {
    ssh.close();
  }
});

test("SSH refuses unknown keys, another user's name, passwords, exec and sftp, and logs each login", async () => {
  const batch = ["-o", "BatchMode=yes", "-o", "ConnectTimeout=10"];
  const unknown = sh([...sshArgs("stranger", "ann"), ...batch, "-tt"]);
  expect(unknown.code).toBe(255);
  expect(unknown.err).toContain("Permission denied (publickey)");
  const asOther = sh([...sshArgs("vic", "ann"), ...batch, "-tt"]);
  expect(asOther.err).toContain("Permission denied (publickey)");
  const password = sh([...sshArgs("ann", "ann"), ...batch, "-o", "PubkeyAuthentication=no", "-o", "PreferredAuthentications=password,keyboard-interactive"]);
  expect(password.err).toContain("Permission denied (publickey)");
  const exec = sh([...sshArgs("ann", "ann"), ...batch, "ls", "/"]);
  expect(exec.code).not.toBe(0);
  expect(exec.out).toBe("");
  const sftp = sh(["sftp", "-i", keyFile("ann"), "-P", String(SSH_PORT), "-o", "StrictHostKeyChecking=no", "-o", `UserKnownHostsFile=${join(server.home, "known_hosts")}`, "-o", "IdentitiesOnly=yes", ...batch, "-b", "-", "ann@127.0.0.1"], { stdin: "ls\n" });
  expect(sftp.code).not.toBe(0);
  const log = readdirSync(server.home).filter((f) => f.endsWith(".out.log")).map((f) => readFileSync(join(server.home, f), "utf8")).join("");
  expect(log).toContain("ssh: login accepted: ann from 127.0.0.1");
  expect(log).toContain("ssh: login refused (unknown-key): ann from 127.0.0.1");
  expect(log).toContain("ssh: login refused (wrong-user): ann from 127.0.0.1");
  const audit = await cli(["audit", "--json"]);
  expect(audit).toMatch(/"action":\s*"ssh login"/);
  expect(audit).toMatch(/"outcome":\s*"unknown-key"/);
});
