// Prints the edge's throughput, latency, CPU and memory next to nginx's, Caddy's and HAProxy's, all
// in front of the same upstream (nginx `return 200`), measured with wrk on loopback in one run:
//   plain    routing by Host to a website route (also through a bare Bun fetch() proxy, for reference);
//   gateway  routing by Host + path prefix with a bearer token (the edge checks a JWT; nginx compares
//            the Authorization header with one fixed string, the cheapest check it can do);
//   c256     plain, with 256 connections instead of 32;
//   64k      plain, a 64 KB response body;
//   cores    plain, every proxy on all cores: the edge with edgeWorkers at its default (one process
//            per core), nginx with `worker_processes auto`; wrk's own CPU is printed beside it.
// One core each elsewhere: the edge with edgeWorkers 1, nginx 1 worker, HAProxy 1 thread, Caddy GOMAXPROCS=1.
// Targets (docs/benchmarks.md): throughput >= 0.85x nginx (one core) and >= 1.0x (all cores), p99 <= 1.5x,
// CPU per 10k requests <= 1.3x, edge RSS <= 45 MB idle and <= 60 MB after the load.
//
//   bun scripts/bench-edge.ts [--duration 10] [--connections 32] [--threads 1] [--rounds 3] [--warmup 2]
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { verifyGatewayToken } from "../src/edge/gateway-token.ts";
import { freePort } from "../test/support/binary.ts";
import { startBareBunProxy } from "./bench/bare-proxy.ts";
import { CLIENT_ID, DOMAIN, ENVIRONMENT, GATEWAY_HOST, makeEdgeState, PROJECT, WEBSITE_HOST } from "./bench/edge-state.ts";
import { startNginx } from "./bench/nginx.ts";
import { startCaddy, startHaproxy } from "./bench/other-proxies.ts";
import { cpuSeconds, rssMb, type Started, whenReady } from "./bench/proc.ts";
import { median, ratio, verdict } from "./bench/stats.ts";
import { fail, requireBinary, requireProgram } from "./bench/tools.ts";
import { wrk, type WrkResult } from "./bench/wrk.ts";

const { values: flags } = parseArgs({
  options: {
    duration: { type: "string", default: "10" },
    connections: { type: "string", default: "32" },
    threads: { type: "string", default: "1" },
    rounds: { type: "string", default: "3" },
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
const CORES = availableParallelism();

requireProgram("wrk");
requireProgram("nginx", "nginx-light");
requireProgram("caddy");
requireProgram("haproxy");
const binary = requireBinary();

type Proxy = "nginx" | "edge" | "logged" | "bare" | "caddy" | "haproxy" | "nginx-all" | "edge-all" | "caddy-all" | "haproxy-all";
type Case = "plain" | "gateway" | "c256" | "64k" | "cores";
const LABELS: Record<Proxy, string> = {
  nginx: "nginx",
  edge: "edge",
  logged: "edge+log",
  bare: "bare Bun fetch proxy",
  caddy: "Caddy",
  haproxy: "HAProxy",
  "nginx-all": "nginx (auto)",
  "edge-all": `edge (${CORES} workers)`,
  "caddy-all": "Caddy (all cores)",
  "haproxy-all": `HAProxy (${CORES} threads)`,
};
const CASES: Record<Case, { label: string; proxies: Proxy[]; connections: number; threads: number }> = {
  plain: { label: "plain (Host)", proxies: ["nginx", "edge", "logged", "bare", "caddy", "haproxy"], connections: CONNECTIONS, threads: THREADS },
  gateway: { label: "gateway (token)", proxies: ["nginx", "edge", "logged"], connections: CONNECTIONS, threads: THREADS },
  c256: { label: "plain, 256 conns", proxies: ["nginx", "edge", "caddy", "haproxy"], connections: 256, threads: THREADS },
  "64k": { label: "plain, 64 KB body", proxies: ["nginx", "edge", "caddy", "haproxy"], connections: CONNECTIONS, threads: THREADS },
  cores: { label: `all ${CORES} cores`, proxies: ["nginx-all", "edge-all", "haproxy-all", "caddy-all"], connections: 2 * CONNECTIONS, threads: Math.max(THREADS, 2) },
};

const upstreamPort = freePort();
const running: { stop(): Promise<void> }[] = [];
const started = async <T extends { stop(): Promise<void> }>(service: Promise<T>): Promise<T> => {
  const got = await service;
  running.push(got);
  return got;
};

async function startEdgeProcess(dataDir: string, port: number, settings: Record<string, string | number> = {}): Promise<Started> {
  const metricsPort = freePort();
  const config = join(dataDir, "..", `config-${port}.yaml`);
  writeFileSync(config, JSON.stringify({ dataDir, edgeListen: `127.0.0.1:${port}`, edgeMetricsListen: `127.0.0.1:${metricsPort}`, edgeHttpsListen: `127.0.0.1:${freePort()}`, domain: DOMAIN, edgeWorkers: 1, ...settings }));
  const proc = Bun.spawn([binary, "edge", "--config", config], { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: join(dataDir, "..") }, stdout: "ignore", stderr: "pipe" });
  return whenReady(proc, {
    ready: async () => ((await (await fetch(`http://127.0.0.1:${metricsPort}/healthz`)).json()) as { routes: number }).routes === 2,
    timeoutMs: 10_000,
    pollMs: 50,
    why: async () => `berth edge did not serve its 2 routes within 10 s: ${(await new Response(proc.stderr).text()).trim() || "no output"}`,
  });
}

/** Both proxies must answer like each other before any figure means something. */
async function checkBehaviour(port: number, proxy: Proxy, token: string, websiteOnly = false) {
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
  for (const [what, response, status] of websiteOnly ? expectations.filter(([what]) => !what.startsWith("gateway")) : expectations) {
    const got = await response;
    if (got.status !== status || (status === 200 && got.body !== "ok\n")) throw new Error(`${proxy}: ${what}: expected ${status}, got ${got.status} ${JSON.stringify(got.body.slice(0, 80))}`);
  }
}

const nginxProxyConfig = (token: string, nginxPort: number) => `
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
  wrkCpuPer10k: number;
}


try {
  const files = mkdtempSync(join(tmpdir(), "berth-bench-files-"));
  running.push({ stop: async () => rmSync(files, { recursive: true, force: true }) });
  writeFileSync(join(files, "64k"), "x".repeat(64 * 1024));
  // mkdtemp makes it 0700: nginx workers run as another user.
  chmodSync(files, 0o755);
  await started(startNginx("upstream", upstreamPort, `  server {\n    listen 127.0.0.1:${upstreamPort};\n    location / { default_type text/plain; return 200 "ok\\n"; }\n    location = /64k { default_type text/plain; root ${files}; }\n  }`, 1));
  const state = await started(makeEdgeState({ host: "127.0.0.1", port: upstreamPort }, 3600 + ROUNDS * 20 * (DURATION + WARMUP)));
  const ports = Object.fromEntries((Object.keys(LABELS) as Proxy[]).map((proxy) => [proxy, freePort()])) as Record<Proxy, number>;
  const edge = await started(startEdgeProcess(state.dataDir, ports.edge));
  await Bun.sleep(1000);
  const idleRss = rssMb(edge.pid);
  const procs: Record<Proxy, Started> = {
    edge,
    logged: await started(startEdgeProcess(state.dataDir, ports.logged, { edgeAccessLog: "on" })),
    "edge-all": await started(startEdgeProcess(state.dataDir, ports["edge-all"], { edgeWorkers: CORES })),
    nginx: await started(startNginx("proxy", ports.nginx, nginxProxyConfig(state.token, ports.nginx), 1)),
    "nginx-all": await started(startNginx("proxy-all", ports["nginx-all"], nginxProxyConfig(state.token, ports["nginx-all"]), "auto")),
    bare: await started(startBareBunProxy(ports.bare, upstreamPort)),
    caddy: await started(startCaddy(ports.caddy, WEBSITE_HOST, upstreamPort, 1)),
    "caddy-all": await started(startCaddy(ports["caddy-all"], WEBSITE_HOST, upstreamPort)),
    haproxy: await started(startHaproxy(ports.haproxy, WEBSITE_HOST, upstreamPort, 1)),
    "haproxy-all": await started(startHaproxy(ports["haproxy-all"], WEBSITE_HOST, upstreamPort, CORES)),
  };
  for (const proxy of ["edge", "logged", "edge-all", "nginx", "nginx-all"] as Proxy[]) await checkBehaviour(ports[proxy], proxy, state.token);
  for (const proxy of ["caddy", "caddy-all", "haproxy", "haproxy-all"] as Proxy[]) await checkBehaviour(ports[proxy], proxy, state.token, true);

  const requests: Record<Case, { path: string; headers: Record<string, string> }> = {
    plain: { path: "/", headers: { Host: WEBSITE_HOST } },
    gateway: { path: "/api/items", headers: { Host: GATEWAY_HOST, Authorization: `Bearer ${state.token}` } },
    c256: { path: "/", headers: { Host: WEBSITE_HOST } },
    "64k": { path: "/64k", headers: { Host: WEBSITE_HOST } },
    cores: { path: "/", headers: { Host: WEBSITE_HOST } },
  };
  const samples = new Map<string, Sample[]>();
  const load = () => loadavg()[0]!.toFixed(2);
  const loads = [load()];

  console.log(`${CORES} cores, load average ${loads[0]} before the first run`);
  console.log(`wrk --latency, ${DURATION} s after ${WARMUP} s of warm-up, ${ROUNDS} round(s), medians; -t${THREADS} -c${CONNECTIONS} unless the case says otherwise; upstream: nginx \`return 200\` (1 worker), the same for all`);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [index, kase] of (Object.keys(CASES) as Case[]).entries()) {
      const { proxies, connections, threads } = CASES[kase];
      // Alternate who goes first, so no proxy always runs on the warmer (or busier) machine.
      const order = (round + index) % 2 ? [...proxies].reverse() : proxies;
      for (const proxy of order) {
        const pid = procs[proxy].pid;
        const url = `http://127.0.0.1:${ports[proxy]}${requests[kase].path}`;
        const settings = { threads, connections, url, headers: requests[kase].headers };
        if (WARMUP) await wrk({ ...settings, durationSeconds: WARMUP });
        const cpuBefore = cpuSeconds(pid);
        const result = await wrk({ ...settings, durationSeconds: DURATION });
        const cpuPer10k = ((cpuSeconds(pid) - cpuBefore) / result.requests) * 10_000;
        const wrkCpuPer10k = ((result.cpuSeconds ?? 0) / result.requests) * 10_000;
        samples.set(`${kase}/${proxy}`, [...(samples.get(`${kase}/${proxy}`) ?? []), { ...result, cpuPer10k, wrkCpuPer10k }]);
      }
    }
    loads.push(load());
  }

  const summary = (kase: Case, proxy: Proxy) => {
    const runs = samples.get(`${kase}/${proxy}`)!;
    return {
      rps: median(runs.map((r) => r.requestsPerSecond)),
      p50: median(runs.map((r) => r.p50Ms)),
      p99: median(runs.map((r) => r.p99Ms)),
      cpu: median(runs.map((r) => r.cpuPer10k)),
      wrkCpu: median(runs.map((r) => r.wrkCpuPer10k)),
      errors: runs.reduce((sum, r) => sum + r.non2xx + r.socketErrors, 0),
    };
  };
  console.log(`load average (1 min) after each round: ${loads.slice(1).join(", ")}`);
  console.log("");
  console.log("| case | proxy | req/s | p50 ms | p99 ms | CPU s / 10k req | wrk CPU s / 10k req | errors |");
  console.log("|---|---|---:|---:|---:|---:|---:|---:|");
  let errors = 0;
  for (const kase of Object.keys(CASES) as Case[]) {
    for (const proxy of CASES[kase].proxies) {
      const s = summary(kase, proxy);
      errors += s.errors;
      console.log(`| ${CASES[kase].label} | ${LABELS[proxy]} | ${Math.round(s.rps).toLocaleString("en-US")} | ${s.p50.toFixed(2)} | ${s.p99.toFixed(2)} | ${s.cpu.toFixed(3)} | ${s.wrkCpu.toFixed(3)} | ${s.errors} |`);
    }
  }
  console.log("");
  const targets: string[] = [];
  for (const [kase, edgeProxy, nginxProxy, floor] of [["plain", "edge", "nginx", 0.85], ["gateway", "edge", "nginx", 0.85], ["c256", "edge", "nginx", 0.85], ["64k", "edge", "nginx", 0.85], ["cores", "edge-all", "nginx-all", 1.0]] as [Case, Proxy, Proxy, number][]) {
    const e = summary(kase, edgeProxy);
    const n = summary(kase, nginxProxy);
    console.log(`${kase.padEnd(8)} edge/nginx: throughput ${ratio(e.rps, n.rps)}, p99 ${ratio(e.p99, n.p99)}, CPU per request ${ratio(e.cpu, n.cpu)}`);
    if (kase === "plain" || kase === "gateway" || kase === "cores") {
      targets.push(`${kase}: throughput >= ${floor.toFixed(2)}x ${verdict(e.rps >= floor * n.rps)}, p99 <= 1.5x ${verdict(e.p99 <= 1.5 * n.p99)}, CPU/10k <= 1.3x ${verdict(e.cpu <= 1.3 * n.cpu)}`);
    }
  }
  for (const kase of ["plain", "gateway"] as Case[]) {
    const e = summary(kase, "edge");
    const l = summary(kase, "logged");
    console.log(`${kase.padEnd(8)} access log on: throughput ${ratio(l.rps, e.rps)} of the edge without, p99 ${ratio(l.p99, e.p99)}, CPU per request ${ratio(l.cpu, e.cpu)}`);
  }
  const bareSummary = summary("plain", "bare");
  console.log(`reference: bare Bun fetch proxy/nginx: throughput ${ratio(bareSummary.rps, summary("plain", "nginx").rps)}, p99 ${ratio(bareSummary.p99, summary("plain", "nginx").p99)}; edge/bare (plain): throughput ${ratio(summary("plain", "edge").rps, bareSummary.rps)}`);
  const afterRss = rssMb(edge.pid);
  targets.push(`edge RSS idle <= 45 MB ${verdict(idleRss <= 45)} (${idleRss.toFixed(1)} MB), after load <= 60 MB ${verdict(afterRss <= 60)} (${afterRss.toFixed(1)} MB)`);
  console.log(`targets: ${targets.join("; ")}`);
  console.log(`JWT verification on a cache miss (a new token) ${(await uncachedVerifyMicros(state.signingKey, state.token)).toFixed(1)} µs in-process`);
  if (errors) console.log(`WARNING: ${errors} non-2xx responses or socket errors during the runs: the figures above are not comparable`);
} catch (error) {
  console.error(`bench: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  for (const service of running.reverse()) await service.stop();
}
