// The edge under attack and under change, on the compiled binary, the real engine and real
// sockets: brute force is slowed, apps see the truth about clients, new credentials work at once.
// Distinct client addresses are real ones: Linux answers on all of 127.0.0.0/8, and curl's
// --interface picks the source address of the connection.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BINARY, startServe } from "./support/binary.ts";
import { loadTestEnv } from "./support/test-env.ts";
import { docker } from "./support/sh.ts";

const env = loadTestEnv();
const PROJECT = `hard${crypto.randomUUID().slice(0, 6)}`;
// Requests from this address arrive "through a proxy"; every other one comes straight from a client.
const PROXY_IP = "127.0.0.2";

const ECHO_APP = `import http.server, json
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({k.lower(): v for k, v in self.headers.items()}).encode()
        self.send_response(200); self.send_header("Content-Type", "application/json"); self.end_headers(); self.wfile.write(body)
    def log_message(self, *args): pass
http.server.ThreadingHTTPServer(("0.0.0.0", 8000), H).serve_forever()
`;

const projectFile = {
  project: PROJECT,
  blocks: {
    site: {
      kind: "website",
      image: env.images.busybox,
      command: ["sh", "-c", "mkdir -p /www && echo hi > /www/index.html && httpd -f -p 8080 -h /www"],
      port: 8080,
      password: true,
    },
    echo: { kind: "website", image: env.images.python, command: ["python3", "-c", ECHO_APP], port: 8000 },
    api: { kind: "microservice", image: env.images.python, command: ["python3", "-c", ECHO_APP], port: 8000 },
  },
  environments: { dev: {} },
};

let server: Awaited<ReturnType<typeof startServe>>;
const host = (block: string) => `${block}.dev.${PROJECT}.localhost`;
const GATEWAY = `gateway.dev.${PROJECT}.localhost`;

const containers = () => docker(["ps", "-aq", "--filter", `label=berth.project=${PROJECT}`]).out.split("\n").filter(Boolean);

interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** One HTTP request from a chosen loopback source address, through curl (argv, never a shell). */
async function from(ip: string, url: string, options: { headers?: Record<string, string>; method?: string; body?: string } = {}): Promise<Reply> {
  const args = ["curl", "-sS", "-i", "--interface", ip, "-X", options.method ?? "GET"];
  for (const [name, value] of Object.entries(options.headers ?? {})) args.push("-H", `${name}: ${value}`);
  if (options.body !== undefined) args.push("--data-binary", options.body);
  const proc = Bun.spawn([...args, url], { stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  if (code !== 0) throw new Error(`curl from ${ip} to ${url} failed: ${err.trim()}`);
  const split = out.indexOf("\r\n\r\n");
  const [statusLine, ...lines] = out.slice(0, split).split("\r\n");
  const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(":")).toLowerCase(), line.slice(line.indexOf(":") + 1).trim()]));
  return { status: Number(statusLine!.split(" ")[1]), headers, body: out.slice(split + 4) };
}

const edge = (ip: string, hostName: string, path = "/", options: { headers?: Record<string, string>; method?: string; body?: string } = {}) =>
  from(ip, `${server.edgeUrl}${path}`, { ...options, headers: { Host: hostName, ...options.headers } });
const basic = (user: string, password: string) => ({ Authorization: `Basic ${btoa(`${user}:${password}`)}` });
const auth = (ip: string, clientId: string, clientSecret: string, headers: Record<string, string> = {}) =>
  edge(ip, GATEWAY, "/auth", { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body: JSON.stringify({ clientId, clientSecret }) });

/**
 * A CLI command whose output is handed over the moment it is printed, before the process has
 * even exited: "at once" then means a few milliseconds after the API answered, far inside the
 * edge's 200 ms poll. `exited` resolves with the exit code.
 */
async function cliOutput(args: string[], done: (out: string) => boolean, stdin?: string) {
  const proc = Bun.spawn([BINARY, ...args, "--config", join(server.home, "config.yaml")], {
    env: server.env,
    stdin: stdin === undefined ? "ignore" : new TextEncoder().encode(stdin),
    stdout: "pipe",
    stderr: "pipe",
  });
  const reader = proc.stdout.getReader();
  let out = "";
  while (!done(out)) {
    const chunk = await reader.read();
    if (chunk.done) throw new Error(`berth ${args.join(" ")} ended with ${JSON.stringify(out)}: ${await new Response(proc.stderr).text()}`);
    out += new TextDecoder().decode(chunk.value);
  }
  reader.releaseLock();
  return { out, exited: proc.exited };
}

const parses = (text: string) => {
  try {
    return JSON.parse(text) !== undefined;
  } catch {
    return false;
  }
};

/** The edge straight from this process (127.0.0.1), with no curl to start first. */
const edgeNow = (hostName: string, path: string, init: RequestInit = {}) => fetch(`${server.edgeUrl}${path}`, { ...init, headers: { ...(init.headers as Record<string, string>), Host: hostName } });
const authNow = (clientId: string, clientSecret: string) =>
  edgeNow(GATEWAY, "/auth", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ clientId, clientSecret }) });

async function createClient() {
  const created = await server.run(["gateway", "client", "create", PROJECT, "dev", "--json"]);
  expect(created.stderr).toBe("");
  return JSON.parse(created.stdout) as { clientId: string; clientSecret: string };
}

function expectThrottled(reply: Reply) {
  expect(reply.status).toBe(429);
  const retryAfter = Number(reply.headers["retry-after"]);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
}

beforeAll(async () => {
  server = await startServe([], { edgeTrustedProxies: [`${PROXY_IP}/32`] });
  const file = join(server.home, "berth.yaml");
  writeFileSync(file, JSON.stringify(projectFile));
  expect((await server.run(["apply", "-f", file])).code).toBe(0);
  expect((await server.run(["password", "set", PROJECT, "dev", "site", "ann"], "correct horse\n")).code).toBe(0);
  const deployed = await server.run(["deploy", PROJECT, "dev", "--wait"]);
  expect(deployed.stderr).toBe("");
  expect(deployed.code).toBe(0);
}, 300_000);

afterAll(async () => {
  await server?.stop();
  const edgePid = Number(readFileSync(join(server.dataDir, "edge.pid"), "utf8"));
  if (edgePid) process.kill(edgePid, "SIGTERM");
  const ids = containers();
  if (ids.length) docker(["rm", "-f", ...ids]);
  docker(["network", "rm", `berth-${PROJECT}-dev`]);
});

describe("forwarded headers", () => {
  const forged = { "X-Forwarded-For": "203.0.113.66", "X-Real-IP": "203.0.113.66", "X-Request-Id": "forged-id" };

  test("an app sees the edge's X-Forwarded-For, X-Real-IP and X-Request-Id, not the client's forged ones", async () => {
    const reply = await edge("127.0.0.1", host("echo"), "/", { headers: forged });
    expect(reply.status).toBe(200);
    const seen = JSON.parse(reply.body) as Record<string, string>;
    expect(seen["x-forwarded-for"]).toBe("127.0.0.1");
    expect(seen["x-real-ip"]).toBe("127.0.0.1");
    expect(seen["x-request-id"]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  test("from a trusted proxy (edgeTrustedProxies) they are kept, and the proxy is appended", async () => {
    const reply = await edge(PROXY_IP, host("echo"), "/", { headers: forged });
    const seen = JSON.parse(reply.body) as Record<string, string>;
    expect(seen["x-forwarded-for"]).toBe(`203.0.113.66, ${PROXY_IP}`);
    expect(seen["x-real-ip"]).toBe("203.0.113.66");
    expect(seen["x-request-id"]).toBe("forged-id");
  });
});

describe("brute force", () => {
  test("website password: 429 with Retry-After after 10 failures from one IP, even for the right password; another IP gets in", async () => {
    for (let i = 0; i < 10; i++) expect((await edge("127.0.0.3", host("site"), "/", { headers: basic("ann", `guess${i}`) })).status).toBe(401);
    expectThrottled(await edge("127.0.0.3", host("site"), "/", { headers: basic("ann", `guess-again`) }));
    expectThrottled(await edge("127.0.0.3", host("site"), "/", { headers: basic("ann", "correct horse") }));
    const elsewhere = await edge("127.0.0.4", host("site"), "/", { headers: basic("ann", "correct horse") });
    expect([elsewhere.status, elsewhere.body]).toEqual([200, "hi\n"]);
  });

  test("a credential guessed from many IPs is blocked for new IPs, not for one it logged in from", async () => {
    // Shown on the gateway, whose secrets cost no argon2 to check; website passwords share the same guard.
    const client = await createClient();
    const through = (n: number) => ({ "X-Forwarded-For": `198.51.100.${n}` });
    expect((await auth(PROXY_IP, client.clientId, client.clientSecret, through(200))).status).toBe(200);
    // 30 wrong secrets from three addresses, none of which reaches its own limit of 10.
    for (let i = 0; i < 30; i++) expect((await auth(PROXY_IP, client.clientId, `wrong${i}`, through(i % 3))).status).toBe(401);
    expectThrottled(await auth(PROXY_IP, client.clientId, client.clientSecret, through(99)));
    expect((await auth(PROXY_IP, client.clientId, client.clientSecret, through(200))).status).toBe(200);
    // Another client of the same environment is not affected.
    const other = await createClient();
    expect((await auth(PROXY_IP, other.clientId, other.clientSecret, through(99))).status).toBe(200);
  });

  test("gateway POST /auth: 429 with Retry-After after 10 wrong secrets from one IP; the client works from another", async () => {
    const client = await createClient();
    for (let i = 0; i < 10; i++) expect((await auth("127.0.0.5", client.clientId, `wrong${i}`)).status).toBe(401);
    const blocked = await auth("127.0.0.5", client.clientId, client.clientSecret);
    expectThrottled(blocked);
    expect(JSON.parse(blocked.body).error).toContain("too many failed logins");
    expect((await auth("127.0.0.6", client.clientId, client.clientSecret)).status).toBe(200);
    const metrics = await (await fetch(`http://${server.env.BERTH_EDGE_METRICS_LISTEN}/metrics`)).text();
    expect(Number(/^berth_edge_logins_throttled_total (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(1);
    expect(Number(/^berth_edge_login_failures_total (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(10);
  });

  test("API tokens: 429 with Retry-After after 10 wrong tokens from one IP, even for a valid token; the CLI elsewhere still works", async () => {
    const admin = readFileSync(join(server.dataDir, "admin.token"), "utf8").trim();
    const guess = (token: string) => from("127.0.0.7", `${server.url}/api/whoami`, { headers: { Authorization: `Bearer ${token}` } });
    for (let i = 0; i < 10; i++) expect((await guess(`berth_${"0".repeat(11)}${i}_${crypto.randomUUID()}`)).status).toBe(401);
    const blocked = await guess(admin);
    expectThrottled(blocked);
    expect(blocked.headers["content-type"]).toContain("application/problem+json");
    expect(JSON.parse(blocked.body)).toMatchObject({ status: 429, code: "rate_limited" });
    expect((await server.run(["project", "list"])).code).toBe(0);
  });
});

describe("credentials at the edge follow the API at once", () => {
  test("a gateway client created through the CLI works at /auth immediately, 20 times in a row", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) {
      const created = await cliOutput(["gateway", "client", "create", PROJECT, "dev", "--json"], parses);
      const client = JSON.parse(created.out) as { clientId: string; clientSecret: string };
      statuses.push((await authNow(client.clientId, client.clientSecret)).status);
      expect(await created.exited).toBe(0);
    }
    expect(statuses).toEqual(Array(20).fill(200));
  }, 120_000);

  test("a revoked client is refused at once, at /auth and with the token it already had", async () => {
    const client = await createClient();
    const { token } = (await (await authNow(client.clientId, client.clientSecret)).json()) as { token: string };
    const call = () => edgeNow(GATEWAY, "/api/items", { headers: { Authorization: `Bearer ${token}` } });
    expect((await call()).status).toBe(200);
    const revoked = await cliOutput(["gateway", "client", "revoke", PROJECT, "dev", client.clientId], (out) => out.includes("\n"));
    expect((await call()).status).toBe(401);
    expect((await authNow(client.clientId, client.clientSecret)).status).toBe(401);
    expect(await revoked.exited).toBe(0);
  });

  test("a website password set through the CLI works at once; a removed one stops at once (5 times)", async () => {
    const line = (out: string) => out.includes("\n");
    const asCarol = (i: number) => edgeNow(host("site"), "/", { headers: basic(`carol${i}`, "fresh password") });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const set = await cliOutput(["password", "set", PROJECT, "dev", "site", `carol${i}`], line, "fresh password\n");
      statuses.push((await asCarol(i)).status);
      expect(await set.exited).toBe(0);
      const removed = await cliOutput(["password", "remove", PROJECT, "dev", "site", `carol${i}`], line);
      statuses.push((await asCarol(i)).status);
      expect(await removed.exited).toBe(0);
    }
    expect(statuses).toEqual([200, 401, 200, 401, 200, 401, 200, 401, 200, 401]);
  }, 120_000);
});
