// Prints the edge's throughput and p99 latency next to nginx's (1 worker, keepalive upstream), both
// in front of the same upstream, measured with wrk on loopback in the same run:
//   plain    routing by Host to a website route;
//   gateway  routing by Host + path prefix with a bearer token (the edge checks a JWT; nginx compares
//            the Authorization header with one fixed string, the cheapest check it can do).
// For reference, the plain case also runs through a bare Bun proxy (fetch() and nothing else): the
// floor any Bun proxy starts from. Targets: edge throughput ≥ 1.0× nginx, edge p99 ≤ 1.2× nginx.
// A second edge with its access log on ("edge+log") shows what the log costs, as a ratio to the first.
//
//   bun scripts/bench-edge.ts [--duration 10] [--connections 32] [--threads 1] [--rounds 1] [--warmup 2]
import { writeFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { verifyGatewayToken } from "../src/edge/gateway-token.ts";
import { freePort } from "../test/support/binary.ts";
import { startBareBunProxy } from "./bench/bare-proxy.ts";
import { CLIENT_ID, DOMAIN, ENVIRONMENT, GATEWAY_HOST, makeEdgeState, PROJECT, WEBSITE_HOST } from "./bench/edge-state.ts";
import { startNginx, type Nginx } from "./bench/nginx.ts";
import { cpuSeconds, rssMb, type Started, whenReady } from "./bench/proc.ts";
import { median, ratio, verdict } from "./bench/stats.ts";
import { fail, requireBinary, requireProgram } from "./bench/tools.ts";
import { wrk, type WrkResult } from "./bench/wrk.ts";

const { values: flags } = parseArgs({
  options: {
    duration: { type: "string", default: "10" },
    connections: { type: "string", default: "32" },
    threads: { type: "string", default: "1" },
    rounds: { type: "string", default: "1" },
    warmup: { type: "string", default: "2" },
  },
});
const number = (name: keyof typeof flags, min: number, max: number) => {
  const value = Number(flags[name]);
  if (!Number.isInteger(value) || value < min || value > max) fail(`--${name} must be a whole number from ${min} to ${max}`);
  return value;
};
const DURATION = number("duration", 1, 300);
const CONNECTIONS = number("connections", 1, 1024);
const THREADS = number("threads", 1, 16);
const ROUNDS = number("rounds", 1, 10);
const WARMUP = number("warmup", 0, 60);

requireProgram("wrk");
requireProgram("nginx");
const binary = requireBinary();

type Proxy = "nginx" | "edge" | "logged" | "bare";
type Case = "plain" | "gateway";

const upstreamPort = freePort();
const nginxPort = freePort();
const edgePort = freePort();
const loggedPort = freePort();
const barePort = freePort();
const running: { stop(): Promise<void> }[] = [];

async function startEdgeProcess(dataDir: string, port: number, settings: Record<string, string> = {}): Promise<Started> {
  const metricsPort = freePort();
  const config = join(dataDir, "..", `config-${port}.yaml`);
  writeFileSync(config, JSON.stringify({ dataDir, edgeListen: `127.0.0.1:${port}`, edgeMetricsListen: `127.0.0.1:${metricsPort}`, domain: DOMAIN, ...settings }));
  const proc = Bun.spawn([binary, "edge", "--config", config], { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: join(dataDir, "..") }, stdout: "ignore", stderr: "pipe" });
  return whenReady(proc, {
    ready: async () => ((await (await fetch(`http://127.0.0.1:${metricsPort}/healthz`)).json()) as { routes: number }).routes === 2,
    timeoutMs: 10_000,
    pollMs: 50,
    why: async () => `berth edge did not serve its 2 routes within 10 s: ${(await new Response(proc.stderr).text()).trim() || "no output"}`,
  });
}

/** Both proxies must answer like each other before any figure means something. */
async function checkBehaviour(port: number, proxy: Proxy, token: string) {
  const get = async (host: string, path: string, authorization?: string) => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { Host: host, ...(authorization ? { Authorization: authorization } : {}) } });
    return { status: res.status, body: await res.text() };
  };
  const expectations: [string, Promise<{ status: number; body: string }>, number][] = [
    ["website by Host", get(WEBSITE_HOST, "/"), 200],
    ["gateway with the token", get(GATEWAY_HOST, "/api/items", `Bearer ${token}`), 200],
    ["gateway without a token", get(GATEWAY_HOST, "/api/items"), 401],
    ["gateway with a wrong token", get(GATEWAY_HOST, "/api/items", `Bearer ${token.slice(0, -2)}xx`), 401],
    ["unknown host", get(`nope.${DOMAIN}`, "/"), 404],
  ];
  for (const [what, response, status] of expectations) {
    const got = await response;
    if (got.status !== status || (status === 200 && got.body !== "ok\n")) throw new Error(`${proxy}: ${what}: expected ${status}, got ${got.status} ${JSON.stringify(got.body.slice(0, 80))}`);
  }
}

const nginxProxyConfig = (token: string) => `
  upstream app {
    server 127.0.0.1:${upstreamPort};
    keepalive 64;
    keepalive_requests 1000000;
    keepalive_timeout 300s;
  }
  # What the edge adds to every request, so both send the upstream the same work.
  proxy_http_version 1.1;
  proxy_set_header Connection "";
  proxy_set_header Host $http_host;
  proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
  proxy_set_header X-Forwarded-Proto $scheme;
  proxy_set_header X-Forwarded-Host $http_host;
  proxy_set_header X-Request-Id $request_id;
  server {
    listen 127.0.0.1:${nginxPort} default_server;
    return 404;
  }
  server {
    listen 127.0.0.1:${nginxPort};
    server_name ${WEBSITE_HOST};
    location / { proxy_pass http://app; }
  }
  server {
    listen 127.0.0.1:${nginxPort};
    server_name ${GATEWAY_HOST};
    location /api/ {
      if ($http_authorization != "Bearer ${token}") { return 401; }
      # Setting any proxy_set_header in a location drops the inherited ones, so they are repeated.
      proxy_set_header Authorization "";
      proxy_set_header X-Berth-Client ${CLIENT_ID};
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Host $http_host;
      proxy_set_header X-Request-Id $request_id;
      proxy_pass http://app/;
    }
    location / { return 404; }
  }
`;

/** Microseconds per JWT verification when the edge's cache misses (a new token). */
async function uncachedVerifyMicros(key: Uint8Array, token: string): Promise<number> {
  const audience = `${PROJECT}/${ENVIRONMENT}`;
  for (let i = 0; i < 500; i++) await verifyGatewayToken(key, token, audience);
  const count = 5000;
  const started = performance.now();
  for (let i = 0; i < count; i++) await verifyGatewayToken(key, token, audience);
  return ((performance.now() - started) * 1000) / count;
}

interface Sample extends WrkResult {
  cpuPer10k: number;
}

try {
  const upstream: Nginx = await startNginx("upstream", upstreamPort, `  server {\n    listen 127.0.0.1:${upstreamPort};\n    location / { default_type text/plain; return 200 "ok\\n"; }\n  }`);
  running.push(upstream);
  const state = await makeEdgeState({ host: "127.0.0.1", port: upstreamPort }, 3600 + ROUNDS * 5 * (DURATION + WARMUP));
  running.push(state);
  const edge = await startEdgeProcess(state.dataDir, edgePort);
  running.push(edge);
  const logged = await startEdgeProcess(state.dataDir, loggedPort, { edgeAccessLog: "on" });
  running.push(logged);
  const nginx = await startNginx("proxy", nginxPort, nginxProxyConfig(state.token));
  running.push(nginx);
  const bare = await startBareBunProxy(barePort, upstreamPort);
  running.push(bare);
  await checkBehaviour(edgePort, "edge", state.token);
  await checkBehaviour(loggedPort, "logged", state.token);
  await checkBehaviour(nginxPort, "nginx", state.token);

  const targets: Record<Proxy, { port: number; pid: number }> = { nginx: { port: nginxPort, pid: nginx.pid }, edge: { port: edgePort, pid: edge.pid }, logged: { port: loggedPort, pid: logged.pid }, bare: { port: barePort, pid: bare.pid } };
  const requests: Record<Case, { path: string; headers: Record<string, string> }> = {
    plain: { path: "/", headers: { Host: WEBSITE_HOST } },
    gateway: { path: "/api/items", headers: { Host: GATEWAY_HOST, Authorization: `Bearer ${state.token}` } },
  };
  const samples = new Map<string, Sample[]>();
  const base = { threads: THREADS, connections: CONNECTIONS };

  console.log(`${availableParallelism()} cores, load average ${loadavg()[0]!.toFixed(2)} before the first run`);
  console.log(`wrk -t${THREADS} -c${CONNECTIONS} -d${DURATION}s --latency (after ${WARMUP} s of warm-up), ${ROUNDS} round(s); upstream: nginx \`return 200\` (1 worker), the same for both`);
  for (let round = 0; round < ROUNDS; round++) {
    for (const kase of ["plain", "gateway"] as Case[]) {
      // Alternate who goes first, so neither always runs on the warmer machine.
      const order: Proxy[] = (round + (kase === "gateway" ? 1 : 0)) % 2 ? ["edge", "logged", "nginx"] : ["nginx", "logged", "edge"];
      if (kase === "plain") order.push("bare");
      for (const proxy of order) {
        const { port, pid } = targets[proxy];
        const url = `http://127.0.0.1:${port}${requests[kase].path}`;
        if (WARMUP) await wrk({ ...base, url, headers: requests[kase].headers, durationSeconds: WARMUP });
        const cpuBefore = cpuSeconds(pid);
        const result = await wrk({ ...base, url, headers: requests[kase].headers, durationSeconds: DURATION });
        const cpuPer10k = ((cpuSeconds(pid) - cpuBefore) / result.requests) * 10_000;
        samples.set(`${kase}/${proxy}`, [...(samples.get(`${kase}/${proxy}`) ?? []), { ...result, cpuPer10k }]);
      }
    }
  }

  const summary = (kase: Case, proxy: Proxy) => {
    const runs = samples.get(`${kase}/${proxy}`)!;
    return {
      rps: median(runs.map((r) => r.requestsPerSecond)),
      p50: median(runs.map((r) => r.p50Ms)),
      p99: median(runs.map((r) => r.p99Ms)),
      cpu: median(runs.map((r) => r.cpuPer10k)),
      errors: runs.reduce((sum, r) => sum + r.non2xx + r.socketErrors, 0),
    };
  };
  console.log(`${"case".padEnd(18)}${"proxy".padEnd(9)}${"req/s".padStart(9)}${"p50 ms".padStart(9)}${"p99 ms".padStart(9)}${"CPU s/10k req".padStart(15)}${"errors".padStart(8)}`);
  let errors = 0;
  for (const kase of ["plain", "gateway"] as Case[]) {
    for (const proxy of (kase === "plain" ? ["nginx", "edge", "logged", "bare"] : ["nginx", "edge", "logged"]) as Proxy[]) {
      const s = summary(kase, proxy);
      errors += s.errors;
      const label = kase === "plain" ? "plain (Host)" : "gateway (token)";
      console.log(`${label.padEnd(18)}${(proxy === "logged" ? "edge+log" : proxy).padEnd(9)}${s.rps.toFixed(0).padStart(9)}${s.p50.toFixed(2).padStart(9)}${s.p99.toFixed(2).padStart(9)}${s.cpu.toFixed(3).padStart(15)}${String(s.errors).padStart(8)}`);
    }
  }
  const targetsMet: string[] = [];
  for (const kase of ["plain", "gateway"] as Case[]) {
    const e = summary(kase, "edge");
    const n = summary(kase, "nginx");
    const l = summary(kase, "logged");
    console.log(`${kase.padEnd(8)} edge/nginx: throughput ${ratio(e.rps, n.rps)}, p99 ${ratio(e.p99, n.p99)}; with the access log on: throughput ${ratio(l.rps, e.rps)} of the edge without, p99 ${ratio(l.p99, e.p99)}, CPU per request ${ratio(l.cpu, e.cpu)}`);
    targetsMet.push(`${kase}: throughput ≥ 1.0x ${verdict(e.rps >= n.rps)}, p99 ≤ 1.2x ${verdict(e.p99 <= 1.2 * n.p99)}`);
  }
  const bareSummary = summary("plain", "bare");
  console.log(`reference: bare Bun fetch proxy/nginx: throughput ${ratio(bareSummary.rps, summary("plain", "nginx").rps)}, p99 ${ratio(bareSummary.p99, summary("plain", "nginx").p99)}; edge/bare (plain): throughput ${ratio(summary("plain", "edge").rps, bareSummary.rps)}`);
  console.log(`targets: ${targetsMet.join("; ")}`);
  console.log(`edge RSS after load ${rssMb(edge.pid).toFixed(1)} MB; JWT verification on a cache miss (a new token) ${(await uncachedVerifyMicros(state.signingKey, state.token)).toFixed(1)} µs in-process`);
  if (errors) console.log(`WARNING: ${errors} non-2xx responses or socket errors during the runs: the figures above are not comparable`);
} catch (error) {
  console.error(`bench: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  for (const service of running.reverse()) await service.stop();
}
