import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EventEmitter } from "node:events";
import ssh2 from "ssh2";
import { apiHarness } from "../../test/support/state.ts";
import { peopleAccess } from "../ssh-wiring.ts";
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

test("registered keys map to their users; session tokens act as the user and end with the session; logins are audited", async () => {
  const { services, app, ownerToken } = apiHarness();
  const owner = services.sessions.forToken(services.tokens.authenticate(ownerToken))!;
  await services.users.add(owner, { name: "ann", role: "member", sshKeys: [`${ann.algo} ${ann.blob}`] });
  const access = peopleAccess(services, (r) => app.fetch(r));
  expect(access.userForSshKey(ann.algo, ann.blob)).toMatchObject({ name: "ann", role: "member" });
  expect(access.userForSshKey(stranger.algo, stranger.blob)).toBeNull();
  const user = access.userForSshKey(ann.algo, ann.blob)!;
  const token = access.issueShortLived(user.id, "ssh:ann", 60_000);
  const me = (await (await app.request("/api/whoami", { headers: { Authorization: `Bearer ${token}` } })).json()) as { user: string; role: string };
  expect(me).toMatchObject({ user: "ann", role: "member" });
  await access.endShortLived(token);
  expect(services.tokens.current(token)).toBeNull();
  access.recordLogin({ user: "ann", ip: "192.0.2.1", outcome: "unknown-key", detail: "ssh-ed25519 key is not registered" });
  expect(services.audit.query(owner, {})[0]).toMatchObject({ user: "ann", via: "ssh", ip: "192.0.2.1", action: "ssh login", outcome: "unknown-key" });
});

describe("the SSH server", () => {
  const { services, app, ownerToken } = apiHarness();
  const logins: string[] = [];
  let server: Awaited<ReturnType<typeof startSshServer>>;
  const sessions: string[] = [];
  beforeAll(async () => {
    const owner = services.sessions.forToken(services.tokens.authenticate(ownerToken))!;
    await services.users.add(owner, { name: "ann", role: "member", sshKeys: [`${ann.algo} ${ann.blob}`] });
    await services.users.add(owner, { name: "vic", role: "viewer", sshKeys: [`${vic.algo} ${vic.blob}`] });
    const access = peopleAccess(services, (r) => app.fetch(r));
    server = await startSshServer({
      hostname: "127.0.0.1",
      port: 0,
      hostKey: loadOrCreateHostKey(join(dir, "server_key")),
      access: { ...access, recordLogin: (l) => logins.push(`${l.user} ${l.outcome}`) },
      // The UI itself is tested under tmux; here the session proves who it runs as.
      session: async (ctx) => {
        const me = (await (await app.request("/api/whoami", { headers: { Authorization: `Bearer ${ctx.token}` } })).json()) as { user: string; role: string };
        sessions.push(`${me.user} ${me.role} ${ctx.terminal.stdout.columns}x${ctx.terminal.stdout.rows}`);
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
    expect(sessions).toEqual(["ann member 90x25"]);
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

test("a handler that throws ends only that connection: the server goes on taking logins", async () => {
  const { services, app, ownerToken } = apiHarness();
  const owner = services.sessions.forToken(services.tokens.authenticate(ownerToken))!;
  await services.users.add(owner, { name: "ann", role: "member", sshKeys: [`${ann.algo} ${ann.blob}`] });
  const access = peopleAccess(services, (r) => app.fetch(r));
  const logged: string[] = [];
  const server = await startSshServer({
    hostname: "127.0.0.1",
    port: 0,
    hostKey: loadOrCreateHostKey(join(dir, "server_key")),
    access: {
      ...access,
      recordLogin: (l) => {
        if (l.outcome !== "ok") throw new Error("audit store is read-only");
      },
    },
    session: async (ctx) => void ctx.terminal.stdout.write("hello\n"),
    log: (line) => logged.push(line),
  });
  try {
    const attempt = (key: string) =>
      new Promise<string>((resolve) => {
        const client = new ssh2.Client();
        client.on("ready", () => (client.end(), resolve("ready"))).on("error", (error) => resolve(error.message));
        client.connect({ host: "127.0.0.1", port: server.port, username: "ann", privateKey: key, readyTimeout: 5000 });
      });
    expect(await attempt(stranger.private)).not.toBe("ready");
    for (const deadline = Date.now() + 3000; !logged.some((line) => line.includes("audit store is read-only")) && Date.now() < deadline; ) await Bun.sleep(20);
    expect(logged.some((line) => line.includes("ended: audit store is read-only"))).toBe(true);
    expect(await attempt(ann.private)).toBe("ready");
  } finally {
    await server.stop();
  }
});

test("removing the key a connection logged in with ends that connection", async () => {
  const { services, app, ownerToken } = apiHarness();
  const owner = services.sessions.forToken(services.tokens.authenticate(ownerToken))!;
  await services.users.add(owner, { name: "ann", role: "member", sshKeys: [`${ann.algo} ${ann.blob}`] });
  const server = await startSshServer({
    hostname: "127.0.0.1",
    port: 0,
    hostKey: loadOrCreateHostKey(join(dir, "server_key")),
    access: { ...peopleAccess(services, (r) => app.fetch(r)), recordLogin: () => {} },
    // The session stays open until the connection ends.
    session: (ctx) => new Promise<void>((resolve) => ctx.signal.addEventListener("abort", () => resolve())),
    log: () => {},
    keyRecheckMs: 50,
  });
  try {
    const client = new ssh2.Client();
    const closed = new Promise<void>((resolve) => client.on("close", () => resolve()));
    await new Promise<void>((resolve, reject) => {
      client.on("ready", () => resolve()).on("error", reject);
      client.connect({ host: "127.0.0.1", port: server.port, username: "ann", privateKey: ann.private, readyTimeout: 5000 });
    });
    await Bun.sleep(200);
    let open = true;
    void closed.then(() => (open = false));
    expect(open).toBe(true);
    const fingerprint = services.users.show("ann").keys[0]!.fingerprint;
    services.users.removeKey(owner, "ann", fingerprint);
    await Promise.race([closed, Bun.sleep(3000)]);
    expect(open).toBe(false);
  } finally {
    await server.stop();
  }
});
