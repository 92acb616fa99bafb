import ssh2 from "ssh2";
import { createThrottle } from "../lib/throttle.ts";
import type { SshAccess, SshUser } from "../ports/ssh-access.ts";
import { channelTerminal, type Terminal } from "./terminal.ts";

/** Open connections one address may hold: a person needs a few, a scanner is cut off. */
const MAX_CONNECTIONS_PER_IP = 8;
/** Refused authentication attempts before an address is blocked (doubling, up to 15 minutes). */
const AUTH_LIMITS = { maxFailures: 10, windowMs: 10 * 60_000, blockMs: 30_000, maxBlockMs: 15 * 60_000 };
/** Authentication requests one connection may make (OpenSSH: "none", then each key it holds). */
const MAX_ATTEMPTS_PER_CONNECTION = 10;
/** How often an open connection's key is looked up again. */
const KEY_RECHECK_MS = 30_000;
/** A connection not logged in by then is closed. */
const LOGIN_GRACE_MS = 30_000;

/** How long a session's token lives at most; a session that outlasts it sees API errors and reconnects. */
export const SESSION_TTL_MS = 12 * 60 * 60_000;

export interface SessionContext {
  user: SshUser;
  /** The SSH client's address: the API sees the session's requests as coming from it. */
  ip: string;
  token: string;
  terminal: Terminal;
  /** The client asked for no colour (NO_COLOR sent with SendEnv, or TERM=dumb). */
  color: boolean;
  /** Aborted when the client goes away: the session unmounts its UI. */
  signal: AbortSignal;
}

export interface SshServerOptions {
  hostname: string;
  port: number;
  hostKey: string;
  access: SshAccess;
  /** Runs the terminal UI for one session; resolves when the user quits. */
  session: (ctx: SessionContext) => Promise<void>;
  log: (line: string) => void;
  /** How often an open connection's login key is looked up again (default 30 s). */
  keyRecheckMs?: number;
  now?: () => number;
}

const safeEqual = (a: Buffer, b: Buffer) => a.length === b.length && a.equals(b);

/**
 * SSH straight into the terminal UI: public keys of registered users only, one interactive
 * shell per connection; exec, subsystems (sftp), forwarding and passwords are refused.
 */
export function startSshServer(options: SshServerOptions): Promise<{ port: number; stop: () => Promise<void> }> {
  const throttle = createThrottle(AUTH_LIMITS, { capacity: 10_000, now: options.now ?? Date.now });
  const open = new Map<string, number>();
  const clients = new Set<ssh2.Connection>();

  const server = new ssh2.Server({ hostKeys: [options.hostKey], ident: "berth" }, (client, info) => {
    // What a remote peer sends must never take serve down: a handler that throws ends only its connection.
    const guarded =
      <A extends unknown[]>(handler: (...args: A) => void, refuse?: (...args: A) => void) =>
      (...args: A) => {
        try {
          handler(...args);
        } catch (error) {
          options.log(`ssh: connection from ${info.ip} ended: ${(error as Error).message.split("\n")[0]}`);
          try {
            refuse?.(...args);
          } catch {}
          client.end();
        }
      };
    const ip = info.ip;
    const count = (open.get(ip) ?? 0) + 1;
    if (count > MAX_CONNECTIONS_PER_IP || throttle.retryAfterMs(ip) > 0) {
      options.access.recordLogin({ user: null, ip, outcome: "throttled", detail: count > MAX_CONNECTIONS_PER_IP ? "too many connections" : "too many failed logins" });
      client.end();
      return;
    }
    open.set(ip, count);
    clients.add(client);
    let user: SshUser | null = null;
    let loginKey: { algo: string; blob: string } | null = null;
    // Keys the client offered that no user has: OpenSSH offers each key it holds, so they count
    // as one failure (and one audit line) per connection that never logs in, not one per key.
    let unknownKeys = 0;
    let askedAs = "";
    let attempts = 0;
    const grace = setTimeout(() => user || client.end(), LOGIN_GRACE_MS);
    client.on("close", guarded(() => {
      clearTimeout(grace);
      clients.delete(client);
      const left = (open.get(ip) ?? 1) - 1;
      if (left > 0) open.set(ip, left);
      else open.delete(ip);
      if (!user && unknownKeys > 0) {
        throttle.fail(ip);
        options.access.recordLogin({ user: askedAs, ip, outcome: "unknown-key", detail: `${unknownKeys} key(s) offered, none registered` });
      }
    }));
    client.on("error", () => {});

    client.on("authentication", guarded((ctx: ssh2.AuthContext) => {
      // Blocked meanwhile (other connections' failures), or too many tries on this one: it ends.
      if (++attempts > MAX_ATTEMPTS_PER_CONNECTION || throttle.retryAfterMs(ip) > 0) {
        ctx.reject();
        client.end();
        return;
      }
      if (ctx.method === "none") return ctx.reject(["publickey"]);
      const refuse = (outcome: string, detail: string) => {
        throttle.fail(ip);
        options.access.recordLogin({ user: ctx.username, ip, outcome, detail });
        ctx.reject(["publickey"]);
      };
      if (ctx.method !== "publickey") return refuse(ctx.method, `${ctx.method} authentication is not accepted, only registered public keys`);
      const owner = options.access.userForSshKey(ctx.key.algo, ctx.key.data.toString("base64"));
      if (!owner) {
        unknownKeys++;
        askedAs = ctx.username;
        return ctx.reject(["publickey"]);
      }
      // The login name must be the key's user: a key never logs in as someone else.
      if (owner.name !== ctx.username) return refuse("wrong-user", `the key belongs to ${owner.name}, not ${ctx.username}`);
      // The client first asks whether the key would do (no signature), then proves it holds it.
      if (!ctx.signature) return ctx.accept();
      const key = ssh2.utils.parseKey(`${ctx.key.algo} ${ctx.key.data.toString("base64")}`);
      const parsed = Array.isArray(key) ? key[0] : key;
      if (!parsed || parsed instanceof Error || !safeEqual(parsed.getPublicSSH(), ctx.key.data) || parsed.verify(ctx.blob!, ctx.signature, ctx.hashAlgo) !== true) {
        return refuse("bad-signature", "the key's signature did not verify");
      }
      user = owner;
      loginKey = { algo: ctx.key.algo, blob: ctx.key.data.toString("base64") };
      options.access.recordLogin({ user: owner.name, ip, outcome: "ok", detail: `${ctx.key.algo} key` });
      ctx.accept();
    }, (ctx) => ctx.reject()));

    client.on("ready", () => {
      // A key removed (or its user) ends the connection it opened, within a check's interval.
      const recheck = setInterval(
        guarded(() => {
          if (options.access.userForSshKey(loginKey!.algo, loginKey!.blob)?.id !== user?.id) {
            options.log(`ssh: ${user?.name ?? "-"} from ${ip}: the login key is no longer registered; connection ended`);
            client.end();
          }
        }),
        options.keyRecheckMs ?? KEY_RECHECK_MS,
      );
      client.once("close", () => clearInterval(recheck));
      let sessions = 0;
      client.on("session", guarded((accept: ssh2.AcceptConnection<ssh2.Session>, reject: ssh2.RejectConnection) => {
        if (sessions++ > 0) return reject();
        const session = accept();
        let size: { columns: number; rows: number } | null = null;
        let color = true;
        let terminal: Terminal | null = null;
        session.on("pty", (acceptPty, _reject, pty) => {
          size = { columns: pty.cols || 80, rows: pty.rows || 24 };
          if (pty.term === "dumb") color = false;
          acceptPty?.();
        });
        session.on("window-change", (acceptChange, _reject, change) => {
          terminal?.resize(change.cols, change.rows);
          if (size) size = { columns: change.cols, rows: change.rows };
          acceptChange?.();
        });
        session.on("env", (acceptEnv, rejectEnv, env) => {
          if (env.key === "NO_COLOR") return (color = false), acceptEnv?.();
          rejectEnv?.();
        });
        session.on("exec", (_accept, rejectExec) => rejectExec());
        session.on("subsystem", (_accept, rejectSubsystem) => rejectSubsystem());
        session.on("x11", (_accept, rejectX11) => rejectX11());
        session.on("auth-agent", (_accept, rejectAgent) => rejectAgent?.());
        session.on("shell", guarded((acceptShell: ssh2.AcceptConnection<ssh2.ServerChannel>) => {
          const channel = acceptShell();
          // The client closes the connection once the channel ends ("Connection to … closed").
          const finish = (code: number) => {
            channel.exit(code);
            channel.end();
          };
          if (!size) {
            channel.stderr.write("berth: the terminal UI needs a terminal: connect with ssh -t\r\n");
            return finish(1);
          }
          terminal = channelTerminal(channel, size);
          const gone = new AbortController();
          client.once("close", () => gone.abort());
          const token = options.access.issueShortLived(user!.id, `ssh:${user!.name}`, SESSION_TTL_MS);
          options
            .session({ user: user!, ip, token, terminal, color, signal: gone.signal })
            .then(
              () => finish(0),
              (error: Error) => {
                channel.stderr.write(`berth: ${error.message.split("\n")[0]}\r\n`);
                finish(1);
              },
            )
            .finally(() => Promise.resolve(options.access.endShortLived(token)).catch(() => {}));
        }));
      }));
      // Port and agent forwarding: nothing on this server is reachable through it.
      client.on("tcpip", (_accept, rejectTcp) => rejectTcp());
      client.on("request", (_accept, rejectRequest) => rejectRequest?.());
    });
  });

  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.hostname, () => {
      server.off("error", reject);
      server.on("error", (error: Error) => options.log(`ssh: ${error.message.split("\n")[0]}`));
      const address = server.address() as { port: number };
      options.log(`ssh: the terminal UI on ${options.hostname}:${address.port}`);
      resolve({
        port: address.port,
        stop: () =>
          new Promise<void>((done) => {
            for (const c of clients) c.end();
            server.close(() => done());
          }),
      });
    });
  });
}
