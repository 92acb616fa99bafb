import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EventEmitter } from "node:events";
import ssh2 from "ssh2";
import { apiHarness } from "../../test/support/state.ts";
import { dropStaleSessionTokens, keyFileAccess } from "../ssh-wiring.ts";
import { loadOrCreateHostKey } from "./host-key.ts";
import { startSshServer } from "./server.ts";
import { channelTerminal } from "./terminal.ts";

const dir = mkdtempSync(join(tmpdir(), "berth-ssh-"));

test("the terminal over a channel sends CR LF and follows window changes", async () => {
  const written: string[] = [];
  const channel = Object.assign(new EventEmitter(), { write: (d: Buffer | string) => written.push(String(d)) });
  const term = channelTerminal(channel as never, { columns: 100, rows: 30 });
  expect([term.stdout.columns, term.stdout.rows, term.stdout.isTTY, term.stdin.isTTY]).toEqual([100, 30, true, true]);
  await new Promise<void>((done) => term.stdout.write("a\nb\r\nc", () => done()));
  expect(written.join("")).toBe("a\r\nb\r\nc");
  let resized = 0;
  term.stdout.on("resize", () => resized++);
  term.resize(80, 24);
  expect([term.stdout.columns, term.stdout.rows, resized]).toEqual([80, 24, 1]);
  const typed = new Promise<string>((done) => term.stdin.once("data", (d: Buffer) => done(String(d))));
  channel.emit("data", Buffer.from("q"));
  expect(await typed).toBe("q");
});

test("the host key is made once, 0600, and kept; a broken one is named", () => {
  const file = join(dir, "host", "ssh_host_ed25519_key");
  const first = loadOrCreateHostKey(file);
  expect(statSync(file).mode & 0o777).toBe(0o600);
  expect(first).toContain("OPENSSH PRIVATE KEY");
  expect(loadOrCreateHostKey(file)).toBe(first);
  const broken = join(dir, "broken_key");
  writeFileSync(broken, "not a key");
  expect(() => loadOrCreateHostKey(broken)).toThrow(`${broken} is not a usable SSH host key`);
});

const pair = (name: string) => {
  const keys = ssh2.utils.generateKeyPairSync("ed25519");
  const [algo, blob] = keys.public.split(" ") as [string, string];
  return { name, private: keys.private, algo, blob };
};
const ann = pair("ann");
const vic = pair("vic");
const stranger = pair("stranger");

test("keys from the file map to users and roles; session tokens carry the role and go at the end", () => {
  const { services } = apiHarness();
  const file = join(dir, "authorized_keys");
  writeFileSync(file, `# people\n${ann.algo} ${ann.blob} ann member\n${vic.algo} ${vic.blob} vic\n`);
  const logged: string[] = [];
  const access = keyFileAccess(file, services.tokens, (l) => logged.push(l));
  expect(access.userForSshKey(ann.algo, ann.blob)).toEqual({ id: 2, name: "ann", role: "member" });
  expect(access.userForSshKey(vic.algo, vic.blob)?.role).toBe("viewer");
  expect(access.userForSshKey(stranger.algo, stranger.blob)).toBeNull();
  const token = access.issueShortLived(2, "ssh:ann", 60_000);
  expect(services.tokens.authenticate(token)).toMatchObject({ name: "ssh:ann", role: "member" });
  access.endShortLived(token);
  expect(services.tokens.current(token)).toBeNull();
  const stale = access.issueShortLived(3, "ssh:vic", 60_000);
  dropStaleSessionTokens(services.tokens);
  expect(services.tokens.current(stale)).toBeNull();
  access.recordLogin({ user: "ann", ip: "192.0.2.1", outcome: "unknown-key", detail: "x" });
  expect(logged).toEqual(["ssh: login refused (unknown-key): ann from 192.0.2.1: x"]);
});

describe("the SSH server", () => {
  const { services, app } = apiHarness();
  const logins: string[] = [];
  let server: Awaited<ReturnType<typeof startSshServer>>;
  const sessions: string[] = [];
  beforeAll(async () => {
    const file = join(dir, "keys2");
    writeFileSync(file, `${ann.algo} ${ann.blob} ann member\n`);
    const access = keyFileAccess(file, services.tokens, () => {});
    server = await startSshServer({
      hostname: "127.0.0.1",
      port: 0,
      hostKey: loadOrCreateHostKey(join(dir, "server_key")),
      access: { ...access, recordLogin: (l) => logins.push(`${l.user} ${l.outcome}`) },
      // The UI itself is tested under tmux; here the session proves who it runs as.
      session: async (ctx) => {
        const me = await (await app.request("/api/whoami", { headers: { Authorization: `Bearer ${ctx.token}` } })).json();
        sessions.push(`${me.name} ${me.role} ${ctx.terminal.stdout.columns}x${ctx.terminal.stdout.rows}`);
        ctx.terminal.stdout.write("hello\n");
      },
      log: () => {},
    });
  });
  afterAll(() => server?.stop());

  const connect = (key: string, username: string) =>
    new Promise<ssh2.Client>((resolve, reject) => {
      const client = new ssh2.Client();
      client.on("ready", () => resolve(client)).on("error", reject);
      client.connect({ host: "127.0.0.1", port: server.port, username, privateKey: key, readyTimeout: 5000 });
    });

  test("a registered key gets a shell with a pty that runs the session as its user", async () => {
    const client = await connect(ann.private, "ann");
    const output = await new Promise<string>((resolve, reject) =>
      client.shell({ term: "xterm", cols: 90, rows: 25 }, (error, stream) => {
        if (error) return reject(error);
        let text = "";
        stream.on("data", (d: Buffer) => (text += d)).on("close", () => resolve(text));
      }),
    );
    client.end();
    expect(output).toBe("hello\r\n");
    expect(sessions).toEqual(["ssh:ann member 90x25"]);
    expect(logins).toContain("ann ok");
  });

  test("unknown keys, another user's name, exec and subsystems are refused", async () => {
    await expect(connect(stranger.private, "ann")).rejects.toThrow("All configured authentication methods failed");
    await expect(connect(ann.private, "vic")).rejects.toThrow("All configured authentication methods failed");
    const client = await connect(ann.private, "ann");
    const exec = await new Promise<Error | undefined>((resolve) => client.exec("ls", (error) => resolve(error)));
    expect(exec?.message).toContain("Unable to exec");
    const sftp = await new Promise<Error | undefined>((resolve) => client.sftp((error) => resolve(error)));
    expect(sftp).toBeInstanceOf(Error);
    client.end();
    expect(logins).toContain("ann unknown-key");
    expect(logins).toContain("vic wrong-user");
  });
});
