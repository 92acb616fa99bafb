import { hostname } from "node:os";
import { listenAddress } from "./config.ts";
import type { Services } from "./core/services.ts";
import type { SshAccess } from "./ports/ssh-access.ts";
import { loadOrCreateHostKey } from "./ssh/host-key.ts";
import { startSshServer } from "./ssh/server.ts";
import { tuiSession } from "./ssh/tui-session.ts";

type Fetch = (request: Request, env?: { requestIP: () => { address: string } }) => Response | Promise<Response>;

/**
 * Users' registered keys (`berth user keys add`), a short-lived token per session acting as the
 * user (all of the user's rights, no more), and the audit log: the people side, for the SSH server.
 */
export function peopleAccess(services: Pick<Services, "users" | "tokens" | "audit">, fetch: Fetch): SshAccess {
  return {
    userForSshKey: (algo, keyBase64) => services.users.userForSshKey(algo, keyBase64),
    issueShortLived: (userId, name, ttlMs) => services.tokens.issueShortLived(userId, name, ttlMs),
    // Anyone may revoke their own token: the session ends its own through the API, as any client would.
    async endShortLived(token) {
      const record = services.tokens.current(token);
      if (record) await fetch(new Request(`http://berth.internal/api/tokens/${record.id}`, { method: "DELETE", headers: { Authorization: `Bearer ${token}` } }));
    },
    recordLogin: (login) =>
      services.audit.record({
        user: login.user,
        via: "ssh",
        ip: login.ip,
        method: "SSH",
        route: "ssh",
        project: null,
        environment: null,
        action: "ssh login",
        detail: login.detail,
        outcome: login.outcome,
        status: login.outcome === "ok" ? 200 : 401,
      }),
  };
}

/** `berth serve`'s SSH listener: the host key, the access rules and the TUI per session. */
export async function startSsh(options: { listen: string; hostKeyFile: string; services: Services; fetch: Fetch; url: string; log: (line: string) => void }) {
  const address = listenAddress(options.listen);
  const access = peopleAccess(options.services, options.fetch);
  return startSshServer({
    hostname: address.hostname || "0.0.0.0",
    port: address.port,
    hostKey: loadOrCreateHostKey(options.hostKeyFile),
    access: {
      ...access,
      // The log says it too: a refused login is what an operator looks for first.
      recordLogin: (login) => {
        access.recordLogin(login);
        options.log(`ssh: login ${login.outcome === "ok" ? "accepted" : `refused (${login.outcome})`}: ${login.user ?? "-"} from ${login.ip}: ${login.detail}`);
      },
    },
    session: tuiSession({ fetch: (request, env) => options.fetch(request, env), url: options.url, machine: hostname() }),
    log: options.log,
  });
}
