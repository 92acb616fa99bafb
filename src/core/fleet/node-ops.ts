import { invalid } from "../errors.ts";
import type { NodeSession, RunResult } from "../../ports/node-shell.ts";

/**
 * Writes stdin to "$1" through a temporary file renamed into place, with mode "$2", creating the
 * missing folders 0755, as k3s makes them. The script is fixed text: paths and modes come as arguments, and
 * the content (a token) only through stdin.
 */
const WRITE_SCRIPT = 'set -e; umask 022; mkdir -p -- "${1%/*}"; umask 077; cat > "$1.berth-new"; chmod "$2" -- "$1.berth-new"; mv -f -- "$1.berth-new" "$1"';

const lastLines = (text: string, n = 5) => text.trim().split("\n").slice(-n).join(" | ");

/** What a node is, as `fleet join` checks it. */
export interface NodeFacts {
  os: string;
  arch: string;
  hostname: string;
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
    /** Root, or passwordless sudo; refuses otherwise, before anything changes. */
    async becomeRoot(user: string): Promise<"root" | "sudo"> {
      const id = await session.run(["id", "-u"]);
      if (id.code === 0 && id.stdout.trim() === "0") return "root";
      const sudo = await session.run(["sudo", "-n", "true"]);
      if (sudo.code !== 0) throw invalid(`${where}: ${user} is not root and has no passwordless sudo (sudo -n true: ${lastLines(sudo.stderr) || `exit ${sudo.code}`}); log in as root or allow ${user} sudo without a password`);
      prefix = ["sudo", "-n"];
      return "sudo";
    },
    async facts(): Promise<NodeFacts> {
      const kernel = (await must(["uname", "-s"], "uname -s")).stdout.trim();
      if (kernel !== "Linux") throw invalid(`${where}: k3s runs on Linux; this node runs ${kernel}`);
      const release = await session.run(["cat", "/etc/os-release"]);
      if (release.code !== 0) throw invalid(`${where}: /etc/os-release cannot be read: not a Linux distribution k3s supports`);
      const fields = Object.fromEntries(release.stdout.split("\n").map((l) => /^([A-Z_]+)=(.*)$/.exec(l)).filter((m) => m !== null).map((m) => [m[1]!, m[2]!.replace(/^"(.*)"$/, "$1")]));
      const os = fields.PRETTY_NAME ?? `${fields.ID ?? "unknown"} ${fields.VERSION_ID ?? ""}`.trim();
      const arch = (await must(["uname", "-m"], "uname -m")).stdout.trim();
      const hostname = (await must(["uname", "-n"], "uname -n")).stdout.trim();
      return { os, arch, hostname };
    },
    async exists(path: string): Promise<boolean> {
      return (await session.run([...prefix, "test", "-e", path])).code === 0;
    },
    /** The listening TCP ports, read from /proc (every Linux has it; `ss` is not always installed). */
    async listeningPorts(): Promise<Set<number>> {
      const ports = new Set<number>();
      for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
        const table = await session.run(["cat", file]);
        if (table.code !== 0) continue;
        for (const line of table.stdout.split("\n").slice(1)) {
          const cols = line.trim().split(/\s+/);
          // local_address is ADDR:PORT in hex; state 0A is LISTEN.
          if (cols[3] === "0A" && cols[1]) ports.add(Number.parseInt(cols[1].split(":").pop()!, 16));
        }
      }
      return ports;
    },
    /** The sha256 of a file on the node, or null when there is none. */
    async sha256(path: string): Promise<string | null> {
      const result = await session.run([...prefix, "sha256sum", "--", path]);
      return result.code === 0 ? (result.stdout.split(/\s/)[0] ?? null) : null;
    },
    async mode(path: string): Promise<string | null> {
      const result = await session.run([...prefix, "stat", "-c", "%a", "--", path]);
      return result.code === 0 ? result.stdout.trim() : null;
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
    asRoot: (argv: string[], what: string) => must(argv, what),
    /** Lists a folder as root; empty when it does not exist. */
    async list(dir: string): Promise<string[]> {
      const result = await session.run([...prefix, "ls", "-1", "-A", "--", dir]);
      return result.code === 0 ? result.stdout.split("\n").filter(Boolean) : [];
    },
  };
}

export type NodeOps = ReturnType<typeof nodeOps>;
