// test-lane: sequential
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, startServe } from "./support/binary.ts";
import { eventually } from "./support/eventually.ts";
import { startPebble, type Pebble } from "./support/pebble.ts";
import { docker, lines, sh } from "./support/sh.ts";
import { loadTestEnv } from "./support/test-env.ts";

// Deploys on a shared engine, and certificates that live 90 s so that renewal happens within the run.
setDefaultTimeout(240_000);

const env = loadTestEnv();
const PROJECT = `tls${crypto.randomUUID().slice(0, 6)}`;
const APP = `app.${PROJECT}.test`;
const SECOND = `app2.${PROJECT}.test`;
const BAD = `bad.${PROJECT}.test`;
const CONSOLE = `berth.${PROJECT}.test`;
const VALIDITY_S = 90;

/** Answers with the scheme the edge said the client used. */
const APP_PY = `import http.server
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = ("proto=%s host=%s" % (self.headers.get("X-Forwarded-Proto"), self.headers.get("Host"))).encode()
        self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def log_message(self, *args): pass
http.server.ThreadingHTTPServer(("0.0.0.0", 8080), H).serve_forever()
`;

const website = (domains: string[]) => `    kind: website
    image: ${env.images.python}
    command: ${JSON.stringify(["python3", "-c", APP_PY])}
    port: 8080
    health: /
    domains: ${JSON.stringify(domains)}`;

const projectFile = (otherDomains: string[]) => `project: ${PROJECT}
blocks:
  web:
${website([APP])}
  other:
${website(otherDomains)}
environments:
  dev: {}
`;

let pebble: Pebble;
let server: Awaited<ReturnType<typeof startServe>>;
let edgePort: number;
let httpsPort: number;
let root: string;

interface CertRow {
  host: string;
  status: string;
  issuer: string | null;
  notAfter: string | null;
  reason: string | null;
  nextAttemptAt: string | null;
}

async function certs(): Promise<CertRow[]> {
  const listed = await server.run(["certs", "list", "--json"]);
  if (listed.code !== 0) throw new Error(listed.stderr);
  return JSON.parse(listed.stdout) as CertRow[];
}
const cert = async (host: string) => (await certs()).find((c) => c.host === host);

/** curl over HTTPS to the edge, the name resolved to loopback and checked against Pebble's root. */
const curlHttps = (host: string, path = "/", extra: string[] = []) =>
  sh(["curl", "-sS", "--max-time", "10", "--resolve", `${host}:${httpsPort}:127.0.0.1`, "--cacert", root, ...extra, `https://${host}:${httpsPort}${path}`]);

async function applyAndDeploy(otherDomains: string[]) {
  const file = join(server.home, "berth.yaml");
  await Bun.write(file, projectFile(otherDomains));
  const applied = await server.run(["apply", "-f", file]);
  if (applied.code !== 0) throw new Error(`apply: ${applied.stderr}`);
  const deployed = await server.run(["deploy", PROJECT, "dev", "--wait"]);
  if (deployed.code !== 0) throw new Error(`deploy: ${deployed.stdout}${deployed.stderr}`);
}

const edgePid = () => Number(readFileSync(join(server.dataDir, "edge.pid"), "utf8"));

beforeAll(async () => {
  edgePort = freePort();
  httpsPort = freePort();
  pebble = await startPebble({ httpPort: edgePort, validitySeconds: VALIDITY_S });
  // The bad host's name points at an address where nothing listens: its challenge cannot be reached.
  await pebble.pointAt(BAD, "127.0.0.2");
  server = await startServe(
    [],
    { acmeDirectory: pebble.directory, acmeCaFile: pebble.caFile, acmeEmail: "ops@example.com", acmeRetry: "2s", consoleHost: CONSOLE },
    { BERTH_EDGE_LISTEN: `127.0.0.1:${edgePort}`, BERTH_EDGE_HTTPS_LISTEN: `127.0.0.1:${httpsPort}` },
  );
  root = await pebble.rootFile();
  await applyAndDeploy([BAD]);
}, 240_000);

afterAll(async () => {
  await server?.run(["project", "delete", PROJECT, "--yes"]);
  await server?.close();
  pebble?.stop();
  for (const id of lines(docker(["ps", "-aq", "--filter", `label=berth.project=${PROJECT}`]))) docker(["rm", "-f", id]);
});

describe("HTTPS with certificates from ACME (Pebble)", () => {
  test("a website's domain gets a certificate within 60 s and serves over HTTPS with X-Forwarded-Proto: https", async () => {
    await eventually(async () => (await cert(APP))?.status === "valid", 60_000, `${APP} has a valid certificate`);
    const row = (await cert(APP))!;
    expect(row.issuer).toContain("Pebble");
    // Issued is in the state at once; the edge serves it from its next poll of the state.
    await eventually(() => curlHttps(APP).err === "", 10_000, "the edge serves the issued certificate");
    const answer = curlHttps(APP);
    expect(answer.err).toBe("");
    expect(answer.out).toBe(`proto=https host=${APP}:${httpsPort}`);
    // status points people at the HTTPS address once it works.
    const status = JSON.parse((await server.run(["status", PROJECT, "dev", "--json"])).stdout) as { blocks: { name: string; url: string }[] };
    expect(status.blocks.find((b) => b.name === "web")!.url).toBe(`https://${APP}:${httpsPort}/`);
  });

  test("plain HTTP to the host gets 308 to HTTPS, from every edge process", async () => {
    // New connections each: the kernel spreads them over the edge's worker processes.
    const ask = () => fetch(`http://127.0.0.1:${edgePort}/some/path?q=1`, { headers: { host: APP, connection: "close" }, redirect: "manual" });
    await eventually(async () => (await ask()).status === 308, 10_000, "a 308 once the edge has polled the certificate");
    for (let i = 0; i < 8; i++) {
      const answer = await ask();
      expect(answer.status).toBe(308);
      expect(answer.headers.get("location")).toBe(`https://${APP}:${httpsPort}/some/path?q=1`);
    }
  });

  test("an unknown name gets the fallback certificate, which no client trusts, never the site's", () => {
    const answer = curlHttps(`nobody.${PROJECT}.test`);
    expect(answer.code).not.toBe(0);
    expect(answer.err).toMatch(/certificate|SSL/i);
  });

  test("a domain whose challenge fails is `failed` with a reason, and retried until it works", async () => {
    await eventually(async () => (await cert(BAD))?.status === "failed", 60_000, `${BAD} failed`);
    const failed = (await cert(BAD))!;
    expect(failed.reason).toMatch(/^challenge unreachable: .*connection refused/);
    expect(failed.nextAttemptAt).not.toBeNull();
    const listed = await server.run(["certs", "list"]);
    expect(listed.stdout).toContain(`failed: challenge unreachable`);
    await pebble.unpoint(BAD);
    await eventually(async () => (await cert(BAD))?.status === "valid", 90_000, `${BAD} issued after its DNS was fixed`);
  });

  test("a domain added later is issued without restarting the edge, while requests to the first fail none", async () => {
    const pid = edgePid();
    let stop = false;
    const failures: string[] = [];
    let served = 0;
    const load = (async () => {
      while (!stop) {
        const answer = curlHttps(APP);
        if (answer.code !== 0 || answer.out !== `proto=https host=${APP}:${httpsPort}`) failures.push(`${answer.code} ${answer.out} ${answer.err}`);
        else served++;
        await Bun.sleep(20);
      }
    })();
    try {
      await applyAndDeploy([BAD, SECOND]);
      await eventually(async () => (await cert(SECOND))?.status === "valid", 60_000, `${SECOND} has a valid certificate`);
      await eventually(() => curlHttps(SECOND).out === `proto=https host=${SECOND}:${httpsPort}`, 10_000, `${SECOND} served over HTTPS`);
    } finally {
      stop = true;
      await load;
    }
    expect(failures).toEqual([]);
    expect(served).toBeGreaterThan(10);
    expect(edgePid()).toBe(pid);
  });

  test("the console host reaches the API over HTTPS", async () => {
    await eventually(async () => (await cert(CONSOLE))?.status === "valid", 60_000, `${CONSOLE} has a valid certificate`);
    const token = readFileSync(join(server.dataDir, "admin.token"), "utf8").trim();
    const answer = curlHttps(CONSOLE, "/api/whoami", ["-H", `Authorization: Bearer ${token}`]);
    expect(answer.err).toBe("");
    expect(JSON.parse(answer.out).role).toBe("owner");
  });

  test("a certificate near its end is renewed and the new one served", async () => {
    const first = (await cert(APP))!;
    await eventually(async () => {
      const now = await cert(APP);
      return now?.status === "valid" && now.notAfter !== first.notAfter;
    }, VALIDITY_S * 1000, `${APP} renewed`);
    // The edge picks the new certificate up from the DB on its next poll: soon, not at once.
    const served = () => /expire date: (.+)/.exec(sh(["curl", "-sS", "-v", "-o", "/dev/null", "--resolve", `${APP}:${httpsPort}:127.0.0.1`, "--cacert", root, `https://${APP}:${httpsPort}/`]).err)?.[1];
    await eventually(async () => {
      const expire = served();
      const renewed = (await cert(APP))!;
      return expire !== undefined && renewed.notAfter !== first.notAfter && Math.abs(Date.parse(expire) - Date.parse(renewed.notAfter!)) < 1000;
    }, 10_000, `the edge serves the renewed certificate of ${APP}`);
  });

  test("with the control plane killed, HTTPS keeps serving", async () => {
    server.proc.kill("SIGKILL");
    await server.proc.exited;
    const answer = curlHttps(APP);
    expect(answer.err).toBe("");
    expect(answer.out).toBe(`proto=https host=${APP}:${httpsPort}`);
    await server.restart();
  });
});
