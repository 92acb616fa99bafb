// `berth fleet join`, `status` and `remove` on the compiled binary against a real sshd in a
// container, with a stand-in k3s binary and install script whose hashes the test pins through
// the settings. What a user would check on the node: files, modes, the token only in
// config.yaml, a second run that changes nothing, and the refusals (unknown host key, wrong
// hash, no root, data still on the node).
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { createHash } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ssh2 from "ssh2";
import { parse } from "yaml";
import { createSecretBox } from "../src/adapters/crypto/secret-box.ts";
import { openDb } from "../src/adapters/store/db.ts";
import { createFleetStore } from "../src/adapters/store/fleet-store.ts";
import { K3S_VERSION } from "../src/core/fleet/k3s-release.ts";
import { startServe } from "./support/binary.ts";
import { eventually } from "./support/eventually.ts";
import { docker, sh } from "./support/sh.ts";
import { loadTestEnv } from "./support/test-env.ts";

setDefaultTimeout(120_000);

const env = loadTestEnv();
const SSHD_IMAGE = "berth-test/sshd:bookworm";
const RUN = crypto.randomUUID().slice(0, 8);
const CONTAINER = `berth-fleet-bootstrap-${RUN}`;
const PROJECT = `fb${RUN.slice(0, 6)}`;
const AGENT_TOKEN = `agent-token-${crypto.randomUUID()}`;
const SERVER_TOKEN = `server-token-${crypto.randomUUID()}`;
const SERVER_URL = "https://10.20.30.40:6443";

/** OpenSSH with sudo, built by setup.sh from scripts/test-env/images/sshd (here too when missing). */
function ensureSshdImage() {
  if (docker(["image", "inspect", SSHD_IMAGE]).code === 0) return;
  const built = sh(["docker", "build", "-t", SSHD_IMAGE, join(import.meta.dir, "../scripts/test-env/images/sshd")]);
  if (built.code !== 0) throw new Error(`building ${SSHD_IMAGE} failed: ${built.err || built.out}`);
}

/** A command inside the node container, argv only; stdin for file contents. */
const onNode = (argv: string[], stdin?: string) => sh(["docker", "exec", ...(stdin === undefined ? [] : ["-i"]), CONTAINER, ...argv], stdin === undefined ? {} : { stdin });

/** Stand-in for k3s: `k3s agent` stays up as the real agent would. */
const STANDIN_K3S = `#!/bin/sh
if [ "$1" = agent ]; then sleep 600; exit 0; fi
echo "k3s stand-in"
`;

/**
 * Stand-in for k3s's install script: checks what Berth hands it, records its environment and the
 * processes running meanwhile (Berth's own commands among them), installs an uninstall script
 * and starts the agent, as the real one does through systemd.
 */
const STANDIN_INSTALL = `#!/bin/sh
set -e
[ "$INSTALL_K3S_SKIP_DOWNLOAD" = true ] || { echo "INSTALL_K3S_SKIP_DOWNLOAD is not true" >&2; exit 1; }
[ "$INSTALL_K3S_EXEC" = agent ] || { echo "INSTALL_K3S_EXEC is '$INSTALL_K3S_EXEC'" >&2; exit 1; }
[ -x /usr/local/bin/k3s ] || { echo "no /usr/local/bin/k3s" >&2; exit 1; }
mkdir -p /var/lib/standin
env | grep '^INSTALL_K3S_' | sort > /var/lib/standin/install-env
ps -eo args > /var/lib/standin/ps-during-install
echo $(( $(cat /var/lib/standin/runs 2>/dev/null || echo 0) + 1 )) > /var/lib/standin/runs
cat > /usr/local/bin/k3s-agent-uninstall.sh <<'EOF'
#!/bin/sh
pkill -f '^/bin/sh /usr/local/bin/k3s agent' || true
rm -rf /var/lib/rancher /etc/rancher /usr/local/bin/k3s /usr/local/bin/k3s-agent-uninstall.sh
echo uninstalled > /var/lib/standin/uninstalled
EOF
chmod 0755 /usr/local/bin/k3s-agent-uninstall.sh
nohup /usr/local/bin/k3s agent < /dev/null > /var/log/k3s-agent.log 2>&1 &
echo "[INFO]  stand-in: k3s-agent started"
`;

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

let server: Awaited<ReturnType<typeof startServe>>;
let nodeAddress: string;
let hostKey: string;
let bundle: string;
let keyFile: string;
const printed: string[] = [];

/** A CLI call, its output kept to check no token ever reached it. */
async function berth(args: string[]) {
  const ran = await server.run(args);
  printed.push(ran.stdout, ran.stderr);
  return ran;
}

/** Path, mode, owner, size, modification time and sha256 of every file Berth places on the node. */
function nodeFiles(): string {
  const files = ["/usr/local/bin/k3s", "/etc/rancher/k3s/config.yaml", "/etc/rancher/k3s/registries.yaml", "/etc/rancher/k3s/berth-registry-ca.crt", "/usr/local/bin/k3s-agent-uninstall.sh"];
  return onNode(["sh", "-c", 'for f in "$@"; do stat -c "%n %a %U %s %Y" "$f" && sha256sum "$f"; done', "files", ...files]).out;
}

beforeAll(async () => {
  ensureSshdImage();
  const home = mkdtempSync(join(tmpdir(), "berth-fleet-bootstrap-"));
  bundle = join(home, "bundle");
  mkdirSync(bundle);
  writeFileSync(join(bundle, "k3s"), STANDIN_K3S, { mode: 0o755 });
  writeFileSync(join(bundle, "install.sh"), STANDIN_INSTALL, { mode: 0o755 });
  const pair = ssh2.utils.generateKeyPairSync("ed25519");
  keyFile = join(home, "id_node");
  writeFileSync(keyFile, pair.private, { mode: 0o600 });
  chmodSync(keyFile, 0o600);

  const run = docker(["run", "-d", "--name", CONTAINER, "--label", "berth-test=fleet-bootstrap", "-p", "127.0.0.1::22", SSHD_IMAGE]);
  if (run.code !== 0) throw new Error(`docker run failed: ${run.err}`);
  for (const [user, dir] of [["root", "/root"], ["deploy", "/home/deploy"], ["plain", "/home/plain"]] as const) {
    const put = onNode(["sh", "-c", 'mkdir -p "$2/.ssh" && cat > "$2/.ssh/authorized_keys" && chown -R "$1:$1" "$2/.ssh" && chmod 0700 "$2/.ssh" && chmod 0600 "$2/.ssh/authorized_keys"', "put", user, dir], `${pair.public}\n`);
    if (put.code !== 0) throw new Error(`authorising the key for ${user}: ${put.err}`);
  }
  const port = docker(["port", CONTAINER, "22/tcp"]).out.split("\n")[0]!.split(":").pop();
  nodeAddress = `127.0.0.1:${port}`;
  await eventually(() => onNode(["sh", "-c", "test -s /etc/ssh/ssh_host_ed25519_key.pub && test -e /run/sshd.pid"]).code === 0, 20_000, "sshd starts in the node container");
  hostKey = onNode(["ssh-keygen", "-lf", "/etc/ssh/ssh_host_ed25519_key.pub"]).out.split(" ")[1]!;
  expect(hostKey).toMatch(/^SHA256:/);

  server = await startServe(["--no-edge"], {}, { BERTH_FLEET_K3S_SHA256: sha256(STANDIN_K3S), BERTH_FLEET_K3S_SCRIPT_SHA256: sha256(STANDIN_INSTALL) });
  // What `fleet init` records on a machine that can run k3s; here the server is only a record.
  const db = openDb(join(server.dataDir, "berth.db"));
  const box = createSecretBox(readFileSync(join(server.dataDir, "secret.key")));
  createFleetStore(db).saveServer({ url: SERVER_URL, tokenSealed: box.seal(SERVER_TOKEN), agentTokenSealed: box.seal(AGENT_TOKEN), k3sVersion: K3S_VERSION, initialisedAt: new Date().toISOString() });
  db.$client.close();
  // A project whose namespace `fleet remove` names when a node holds its data.
  const file = join(server.home, "berth.yaml");
  writeFileSync(file, `project: ${PROJECT}\nblocks:\n  db:\n    kind: service\n    image: ${env.images.busybox}\n    command: [sleep, "600"]\n    port: 5432\nenvironments:\n  prod: {}\n`);
  const applied = await server.run(["apply", "-f", file]);
  if (applied.code !== 0) throw new Error(`apply failed: ${applied.stderr}`);
}, 240_000);

afterAll(async () => {
  await server?.stop();
  docker(["rm", "-f", CONTAINER]);
});

describe("fleet join", () => {
  test("an unknown host key is refused before any command runs, naming its fingerprint", async () => {
    const ran = await berth(["fleet", "join", `ssh://root@${nodeAddress}`, "--bundle", bundle, "--key", keyFile]);
    expect(ran.code).not.toBe(0);
    expect(ran.stderr).toContain(`unknown host key ${hostKey}`);
    expect(ran.stderr).toContain(`--host-key ${hostKey}`);
    // Refused inside the key exchange: sshd never saw a login, and nothing appeared on the node.
    expect(docker(["logs", CONTAINER]).err).not.toContain("Accepted publickey");
    expect(onNode(["sh", "-c", "ls -d /usr/local/bin/k3s /etc/rancher /tmp/berth-fleet.* 2>/dev/null; true"]).out).toBe("");
  });

  test("a bundle whose binary differs from the pinned hash is refused, naming the file and both hashes", async () => {
    const tampered = mkdtempSync(join(tmpdir(), "berth-fleet-tampered-"));
    writeFileSync(join(tampered, "k3s"), `${STANDIN_K3S}# changed\n`);
    writeFileSync(join(tampered, "install.sh"), STANDIN_INSTALL);
    const ran = await berth(["fleet", "join", `ssh://root@${nodeAddress}`, "--bundle", tampered, "--key", keyFile, "--host-key", hostKey]);
    expect(ran.code).not.toBe(0);
    const line = ran.stderr.trim();
    expect(line.split("\n")).toHaveLength(1);
    expect(line).toContain(`k3s has sha256 ${sha256(`${STANDIN_K3S}# changed\n`)}, expected ${sha256(STANDIN_K3S)}`);
    expect(onNode(["sh", "-c", "ls -d /usr/local/bin/k3s /etc/rancher 2>/dev/null; true"]).out).toBe("");
    rmSync(tampered, { recursive: true, force: true });
  });

  test("a user without root or passwordless sudo is refused before anything changes", async () => {
    const ran = await berth(["fleet", "join", `ssh://plain@${nodeAddress}`, "--bundle", bundle, "--key", keyFile, "--host-key", hostKey]);
    expect(ran.code).not.toBe(0);
    expect(ran.stderr).toContain("plain is not root and has no passwordless sudo");
    expect(onNode(["sh", "-c", "ls -d /usr/local/bin/k3s /etc/rancher 2>/dev/null; true"]).out).toBe("");
  });

  test("joins through sudo: the binary, the settings with the token at 0600, the install script run as an agent", async () => {
    const ran = await berth(["fleet", "join", `ssh://deploy@${nodeAddress}`, "--bundle", bundle, "--key", keyFile, "--host-key", hostKey, "--name", "node-a"]);
    expect(ran.stderr).toBe("");
    expect(ran.code).toBe(0);
    expect(ran.stdout).toContain("joined as an agent");

    const stat = (path: string) => onNode(["stat", "-c", "%a %U", path]).out;
    expect(stat("/usr/local/bin/k3s")).toBe("755 root");
    expect(onNode(["sha256sum", "/usr/local/bin/k3s"]).out.split(" ")[0]).toBe(sha256(STANDIN_K3S));
    expect(stat("/etc/rancher/k3s/config.yaml")).toBe("600 root");
    expect(stat("/etc/rancher/k3s/registries.yaml")).toBe("600 root");
    // The fleet's registry on the server node (its address is the server's), with the account and the CA beside it.
    const mirrors = parse(onNode(["cat", "/etc/rancher/k3s/registries.yaml"]).out);
    const registry = `${new URL(SERVER_URL).hostname}:5000`;
    expect(mirrors.mirrors[registry].endpoint).toEqual([`https://${registry}`]);
    expect(mirrors.configs[registry].auth).toEqual({ username: "berth", password: readFileSync(join(server.dataDir, "registry/password"), "utf8").trim() });
    expect(mirrors.configs[registry].tls.ca_file).toBe("/etc/rancher/k3s/berth-registry-ca.crt");
    expect(stat("/etc/rancher/k3s/berth-registry-ca.crt")).toBe("644 root");
    expect(onNode(["sha256sum", "/etc/rancher/k3s/berth-registry-ca.crt"]).out.split(" ")[0]).toBe(sha256(readFileSync(join(server.dataDir, "registry/ca.crt"), "utf8")));
    const config = onNode(["cat", "/etc/rancher/k3s/config.yaml"]).out;
    expect(config).toContain(`server: ${SERVER_URL}`);
    expect(config).toContain(`token: ${AGENT_TOKEN}`);
    expect(config).toContain("node-name: node-a");
    expect(config).not.toContain(SERVER_TOKEN);
    expect(onNode(["cat", "/var/lib/standin/install-env"]).out).toBe("INSTALL_K3S_EXEC=agent\nINSTALL_K3S_SKIP_DOWNLOAD=true\nINSTALL_K3S_SKIP_SELINUX_RPM=true");
    expect(onNode(["cat", "/var/lib/standin/runs"]).out).toBe("1");
    // The agent runs, and the upload folder is gone.
    expect(onNode(["ps", "-eo", "args"]).out).toContain("/usr/local/bin/k3s agent");
    expect(onNode(["sh", "-c", "ls -d /tmp/berth-fleet.* 2>/dev/null; true"]).out).toBe("");

    const status = await berth(["fleet", "status", "--json"]);
    const nodes = (JSON.parse(status.stdout) as { nodes: { name: string; address: string; hostKey: string; role: string }[] }).nodes;
    expect(nodes).toEqual([expect.objectContaining({ name: "node-a", address: `ssh://deploy@${nodeAddress}`, hostKey, role: "agent" })]);
  });

  test("the token is only in config.yaml: not in the processes, files, logs or output", async () => {
    // Every process running while the install script ran, Berth's own commands among them.
    const during = onNode(["cat", "/var/lib/standin/ps-during-install"]).out;
    expect(during).toContain("install.sh");
    expect(during).not.toContain(AGENT_TOKEN);
    expect(onNode(["ps", "-eo", "args"]).out).not.toContain(AGENT_TOKEN);
    const holders = onNode(["sh", "-c", 'grep -rlF -- "$1" /etc /var /tmp /root /home /usr/local /run 2>/dev/null; true', "find", AGENT_TOKEN]).out;
    expect(holders).toBe("/etc/rancher/k3s/config.yaml");
    expect(docker(["logs", CONTAINER]).err).not.toContain(AGENT_TOKEN);
    for (const text of printed) expect(text).not.toContain(AGENT_TOKEN);
    for (const log of readdirSync(server.home).filter((f) => f.startsWith("serve-"))) expect(readFileSync(join(server.home, log), "utf8")).not.toContain(AGENT_TOKEN);
  });

  test("a second run, with the recorded host key and name, says unchanged and changes no file on the node", async () => {
    const before = nodeFiles();
    const ran = await berth(["fleet", "join", `ssh://deploy@${nodeAddress}`, "--bundle", bundle, "--key", keyFile]);
    expect(ran.stderr).toBe("");
    expect(ran.code).toBe(0);
    expect(ran.stdout).toContain(`node node-a (ssh://deploy@${nodeAddress}): unchanged`);
    expect(ran.stdout).not.toContain("written");
    expect(nodeFiles()).toBe(before);
    expect(onNode(["cat", "/var/lib/standin/runs"]).out).toBe("1");
  });
});

describe("fleet remove", () => {
  const claimFolder = `/var/lib/rancher/k3s/storage/pvc-0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b_berth-${PROJECT}-prod_db-data-1a2b3c4d`;

  test("is refused while a service's local-path data lives on the node, naming the block", async () => {
    expect(onNode(["mkdir", "-p", claimFolder]).code).toBe(0);
    const ran = await berth(["fleet", "remove", "node-a", "--key", keyFile]);
    expect(ran.code).not.toBe(0);
    expect(ran.stderr).toContain(`node node-a holds service data: ${PROJECT}/prod block db (claim db-data-1a2b3c4d)`);
    expect(onNode(["test", "-x", "/usr/local/bin/k3s"]).code).toBe(0);
    expect(onNode(["test", "-d", claimFolder]).code).toBe(0);
    // Still there, as `fleet status` prints it.
    const status = (await berth(["fleet", "status"])).stdout;
    expect(status).toContain(`server ${SERVER_URL} (k3s ${K3S_VERSION}`);
    expect(status).toMatch(new RegExp(`^node-a +agent +ssh://deploy@${nodeAddress.replaceAll(".", "\\.")} +${hostKey.replaceAll("+", "\\+")} +${K3S_VERSION.replaceAll(".", "\\.").replace("+", "\\+")} `, "m"));
  });

  test("--force uninstalls k3s over SSH and forgets the node", async () => {
    const ran = await berth(["fleet", "remove", "node-a", "--key", keyFile, "--force"]);
    expect(ran.stderr).toBe("");
    expect(ran.code).toBe(0);
    expect(ran.stdout).toContain("node node-a removed with 1 volume(s) of data");
    // No kubeconfig here (k3s never ran): forced, the node goes without being drained, and the output says so.
    expect(ran.stdout).toContain("note: not cordoned nor drained (fleet mode has no cluster yet");
    expect(onNode(["cat", "/var/lib/standin/uninstalled"]).out).toBe("uninstalled");
    expect(onNode(["sh", "-c", "ls -d /usr/local/bin/k3s /etc/rancher /var/lib/rancher 2>/dev/null; true"]).out).toBe("");
    const status = JSON.parse((await berth(["fleet", "status", "--json"])).stdout) as { nodes: unknown[] };
    expect(status.nodes).toEqual([]);
  });
});
