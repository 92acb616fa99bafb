import { existsSync, readFileSync } from "node:fs";
import { hostname } from "node:os";
import { listenAddress } from "./config.ts";
import { ROLES, type Role } from "./core/roles.ts";
import type { Tokens } from "./core/tokens.ts";
import type { SshAccess, SshUser } from "./ports/ssh-access.ts";
import { loadOrCreateHostKey } from "./ssh/host-key.ts";
import { startSshServer } from "./ssh/server.ts";
import { tuiSession } from "./ssh/tui-session.ts";

const SESSION_TOKEN_PREFIX = "ssh:";

/**
 * Keys from `<dataDir>/ssh_authorized_keys` until users with their own keys exist: one key a
 * line, `ALGO BASE64 NAME [ROLE]` (ROLE: viewer unless given). A session's token is made under
 * the install's owner with that role and revoked when the session ends; the audit log is serve's
 * own log for now. Users' keys (`berth user keys add`) replace this file when they land.
 */
export function keyFileAccess(file: string, tokens: Tokens, log: (line: string) => void): SshAccess {
  const entries = (): (SshUser & { algo: string; key: string })[] => {
    if (!existsSync(file)) return [];
    return readFileSync(file, "utf8")
      .split("\n")
      .map((line) => line.trim().split(/\s+/))
      .flatMap(([algo, key, name, role], i) =>
        algo && key && name && !algo.startsWith("#") ? [{ id: i + 1, algo, key, name, role: (ROLES as readonly string[]).includes(role ?? "") ? (role as Role) : "viewer" }] : [],
      );
  };
  const owner = () => {
    const record = tokens.list().find((t) => t.role === "owner" && !t.name.startsWith(SESSION_TOKEN_PREFIX));
    if (!record) throw new Error("no owner token to issue SSH sessions under (berth token reset-owner makes one)");
    return record;
  };
  return {
    userForSshKey(algo, keyBase64) {
      const found = entries().find((e) => e.algo === algo && e.key === keyBase64);
      return found ? { id: found.id, name: found.name, role: found.role } : null;
    },
    issueShortLived(userId, name) {
      const user = entries().find((e) => e.id === userId);
      if (!user) throw new Error("the key was removed during login");
      return tokens.create(owner(), name, user.role).token;
    },
    endShortLived(token) {
      const record = tokens.current(token);
      if (record) tokens.revoke(owner(), record.id);
    },
    recordLogin: (login) => log(`ssh: login ${login.outcome === "ok" ? "accepted" : `refused (${login.outcome})`}: ${login.user ?? "-"} from ${login.ip}: ${login.detail}`),
  };
}

/** Session tokens a serve that stopped abruptly left behind: nobody holds them any more. */
export function dropStaleSessionTokens(tokens: Tokens) {
  const owner = tokens.list().find((t) => t.role === "owner" && !t.name.startsWith(SESSION_TOKEN_PREFIX));
  if (!owner) return;
  for (const t of tokens.list()) if (t.name.startsWith(SESSION_TOKEN_PREFIX)) tokens.revoke(owner, t.id);
}

/** `berth serve`'s SSH listener: the host key, the access rules and the TUI per session. */
export async function startSsh(options: { listen: string; hostKeyFile: string; keysFile: string; tokens: Tokens; fetch: (request: Request) => Response | Promise<Response>; url: string; log: (line: string) => void }) {
  const address = listenAddress(options.listen);
  dropStaleSessionTokens(options.tokens);
  return startSshServer({
    hostname: address.hostname || "0.0.0.0",
    port: address.port,
    hostKey: loadOrCreateHostKey(options.hostKeyFile),
    access: keyFileAccess(options.keysFile, options.tokens, options.log),
    session: tuiSession({ fetch: options.fetch, url: options.url, machine: hostname() }),
    log: options.log,
  });
}
