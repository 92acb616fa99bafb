import { invalid } from "../errors.ts";
import type { NodeSession, RunResult } from "../../ports/node-shell.ts";

/**
 * Writes stdin to "$1" through a temporary file renamed into place, with mode "$2", creating the
 * missing folders 0755, as k3s makes them. The script is fixed text: paths and modes come as arguments, and
 * the content (a token) only through stdin.
 */
const WRITE_SCRIPT = 'set -e; umask 022; mkdir -p -- "${1%/*}"; umask 077; cat > "$1.berth-new"; chmod "$2" -- "$1.berth-new"; mv -f -- "$1.berth-new" "$1"';

/**
 * One round trip for everything `fleet join` checks before it changes anything: who we are,
 * sudo, the kernel, architecture and host name, the distribution, k3s scripts already there,
 * and the listening TCP ports (from /proc: every Linux has it, `ss` is not always installed).
 * Fixed text; the two paths it tests come as arguments.
 */
const PROBE_SCRIPT = [
  "id -u; uname -s; uname -m; uname -n",
  'if [ "$(id -u)" != 0 ] && sudo -n true 2>/dev/null; then echo sudo; else echo no-sudo; fi',
  'if [ -e "$1" ]; then echo server; else echo -; fi',
  'if [ -e "$2" ]; then echo agent; else echo -; fi',
  "echo ---; cat /etc/os-release 2>/dev/null; echo ---; cat /proc/net/tcp /proc/net/tcp6 2>/dev/null",
].join("\n");

/** sha256 and mode of each path given, one line each; "- -" for a missing file. */
const STATE_SCRIPT = 'for f; do if [ -f "$f" ]; then echo "$(sha256sum < "$f" | cut -d" " -f1) $(stat -c %a -- "$f")"; else echo "- -"; fi; done';

const lastLines = (text: string, n = 5) => text.trim().split("\n").slice(-n).join(" | ");

/** What a node is, as `fleet join` checks it. */
export interface NodeFacts {
  uid: string;
  kernel: string;
  os: string;
  arch: string;
  hostname: string;
  sudo: boolean;
  /** The k3s install script's uninstall scripts found: a server, an agent. */
  server: boolean;
  agent: boolean;
  listening: Set<number>;
}

export function parseProbe(stdout: string): NodeFacts {
  const [head = "", release = "", tcp = ""] = stdout.split(/^---$/m);
  const [uid = "", kernel = "", arch = "", hostname = "", sudo = "", server = "", agent = ""] = head.trim().split("\n");
  const fields = Object.fromEntries(release.split("\n").map((l) => /^([A-Z_]+)=(.*)$/.exec(l)).filter((m) => m !== null).map((m) => [m[1]!, m[2]!.replace(/^"(.*)"$/, "$1")]));
  const listening = new Set<number>();
  for (const line of tcp.split("\n")) {
    const cols = line.trim().split(/\s+/);
    // local_address is ADDR:PORT in hex; state 0A is LISTEN.
    if (cols[3] === "0A" && cols[1]?.includes(":")) listening.add(Number.parseInt(cols[1].split(":").pop()!, 16));
  }
  const os = fields.PRETTY_NAME ?? (fields.ID ? `${fields.ID} ${fields.VERSION_ID ?? ""}`.trim() : "");
  return { uid, kernel, arch, hostname, sudo: sudo === "sudo", server: server === "server", agent: agent === "agent", os, listening };
}

/** Commands on one node as root: directly when logged in as root, else through passwordless sudo. */
export function nodeOps(session: NodeSession, where: string) {
  let prefix: string[] = [];

  const must = async (argv: string[], what: string, stdin?: string | Uint8Array): Promise<RunResult> => {
    const result = await session.run([...prefix, ...argv], stdin === undefined ? undefined : { stdin });
    if (result.code !== 0) throw invalid(`${where}: ${what} failed (exit ${result.code}): ${lastLines(result.stderr || result.stdout) || "no output"}`);
    return result;
  };

  return {
    /** Looks at the node and becomes root (directly or through sudo -n); refuses before anything changes. */
    async probe(user: string, paths: { server: string; agent: string }): Promise<NodeFacts> {
      const result = await session.run(["sh", "-c", PROBE_SCRIPT, "berth-probe", paths.server, paths.agent]);
      if (result.code !== 0) throw invalid(`${where}: looking at the node failed (exit ${result.code}): ${lastLines(result.stderr) || "no output"}`);
      const facts = parseProbe(result.stdout);
      if (facts.kernel !== "Linux") throw invalid(`${where}: k3s runs on Linux; this node runs ${facts.kernel || "an unknown system"}`);
      if (!facts.os) throw invalid(`${where}: /etc/os-release cannot be read: not a Linux distribution k3s supports`);
      if (facts.uid !== "0") {
        if (!facts.sudo) throw invalid(`${where}: ${user} is not root and has no passwordless sudo (sudo -n true failed); log in as root or allow ${user} sudo without a password`);
        prefix = ["sudo", "-n"];
      }
      return facts;
    },
    /** sha256 and mode (e.g. "600") of each file, null for a missing one: one round trip. */
    async state(paths: string[]): Promise<({ sha256: string; mode: string } | null)[]> {
      const lines = (await must(["sh", "-c", STATE_SCRIPT, "berth-state", ...paths], "reading the files in place")).stdout.trim().split("\n");
      return paths.map((_, i) => {
        const [sha256 = "-", mode = "-"] = (lines[i] ?? "- -").split(" ");
        return sha256 === "-" ? null : { sha256, mode };
      });
    },
    /** Replaces a file with `content` (given on stdin, never in argv). */
    async write(path: string, content: string, mode: string) {
      await must(["sh", "-c", WRITE_SCRIPT, "berth-write", path, mode], `writing ${path}`, content);
    },
    /** A private folder of the login user for uploads, removed by `cleanup`. */
    async tempDir(): Promise<string> {
      const dir = (await session.run(["mktemp", "-d", "-t", "berth-fleet.XXXXXXXX"])).stdout.trim();
      if (!dir.startsWith("/")) throw invalid(`${where}: mktemp -d failed: cannot make a folder for the upload`);
      return dir;
    },
    async cleanup(dir: string) {
      await session.run([...prefix, "rm", "-rf", "--", dir]);
    },
    /** Copies a file into place as root with its mode, creating the folders. */
    async install(from: string, to: string, mode: string) {
      await must(["install", "-D", "-m", mode, "--", from, to], `installing ${to}`);
    },
    /** Runs argv as root; its output only goes into the error when it fails. */
    asRoot: (argv: string[], what: string, stdin?: string) => must(argv, what, stdin),
    /** Lists a folder as root; empty when it does not exist. */
    async list(dir: string): Promise<string[]> {
      const result = await session.run([...prefix, "ls", "-1", "-A", "--", dir]);
      return result.code === 0 ? result.stdout.split("\n").filter(Boolean) : [];
    },
  };
}

export type NodeOps = ReturnType<typeof nodeOps>;
