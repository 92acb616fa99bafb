import { afterAll, beforeAll, expect, test } from "bun:test";
import ssh2 from "ssh2";
import { createSshNodeShell, fingerprint } from "./ssh-node-shell.ts";

// A real SSH server from the same library on loopback: the key exchange and host key check are the real ones.
const hostKey = ssh2.utils.generateKeyPairSync("ed25519");
const clientKey = ssh2.utils.generateKeyPairSync("ed25519");
const hostFingerprint = fingerprint(Buffer.from(hostKey.public.split(" ")[1]!, "base64"));
const seen: string[] = [];
let server: ssh2.Server;
let port: number;

beforeAll(async () => {
  server = new ssh2.Server({ hostKeys: [hostKey.private] }, (client) => {
    // A client that refuses the host key disconnects: that is the server's error to swallow.
    client.on("error", () => {});
    client.on("authentication", (ctx) => {
      seen.push(`auth ${ctx.method} ${ctx.username}`);
      if (ctx.method === "publickey") return ctx.accept();
      ctx.reject(["publickey"]);
    });
    client.on("ready", () =>
      client.on("session", (accept) =>
        accept().on("exec", (acceptExec, _reject, info) => {
          seen.push(`exec ${info.command}`);
          const stream = acceptExec();
          let input = "";
          stream.on("data", (chunk: Buffer) => (input += chunk.toString()));
          stream.on("end", () => {
            stream.write(`stdin:${input}`);
            stream.exit(3);
            stream.end();
          });
        }),
      ),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  port = (server.address() as { port: number }).port;
});

afterAll(() => server.close());

const target = (pin?: string) => ({ host: "127.0.0.1", port, user: "root", privateKey: clientKey.private, ...(pin && { hostKey: pin }) });

test("an unknown host key is refused inside the key exchange, naming its fingerprint, before any login", async () => {
  seen.length = 0;
  await expect(createSshNodeShell().connect(target())).rejects.toThrow(`127.0.0.1:${port}: unknown host key ${hostFingerprint}; check it on the node (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub) and pass --host-key ${hostFingerprint}`);
  await expect(createSshNodeShell().connect(target("SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"))).rejects.toThrow(`the host key is ${hostFingerprint}, not the pinned SHA256:AAAA`);
  expect(seen).toEqual([]);
});

test("with the pinned key: argv quoted for the node's shell, stdin delivered, the exit code returned", async () => {
  seen.length = 0;
  const session = await createSshNodeShell().connect(target(hostFingerprint));
  expect(session.hostKey).toBe(hostFingerprint);
  const result = await session.run(["printf", "%s", "it's $HOME; `x`"], { stdin: "secret-on-stdin" });
  session.close();
  expect(result).toEqual({ code: 3, stdout: "stdin:secret-on-stdin", stderr: "" });
  expect(seen.filter((s) => s.startsWith("exec"))).toEqual([`exec 'printf' '%s' 'it'\\''s $HOME; \`x\`'`]);
});

test("a key with a passphrase is refused with what to do", async () => {
  const locked = ssh2.utils.generateKeyPairSync("ed25519", { passphrase: "pw", cipher: "aes256-ctr", rounds: 1 });
  await expect(createSshNodeShell().connect({ ...target(hostFingerprint), privateKey: locked.private })).rejects.toThrow("the SSH key is protected by a passphrase");
});
