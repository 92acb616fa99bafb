import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Started, whenReady } from "./proc.ts";

const listening = (port: number) => async () => {
  const socket = await Bun.connect({ hostname: "127.0.0.1", port, socket: { data() {} } });
  socket.end();
  return true;
};

/**
 * Caddy as a reverse proxy by Host to the upstream (keep-alive to it is Caddy's default), with
 * the same request headers the edge adds. `threads` sets GOMAXPROCS: 1 for the one-core rows.
 */
export async function startCaddy(port: number, host: string, upstreamPort: number, threads?: number): Promise<Started> {
  const dir = mkdtempSync(join(tmpdir(), "berth-bench-caddy-"));
  const file = join(dir, "Caddyfile");
  writeFileSync(
    file,
    `{
  admin off
  auto_https off
  storage file_system ${join(dir, "data")}
}
http://${host}:${port} {
  bind 127.0.0.1
  reverse_proxy 127.0.0.1:${upstreamPort} {
    header_up X-Request-Id {http.request.uuid}
    header_up X-Forwarded-Host {host}
  }
}
:${port} {
  bind 127.0.0.1
  respond 404
}
`,
  );
  const proc = Bun.spawn(["caddy", "run", "--config", file, "--adapter", "caddyfile"], {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dir, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir, ...(threads ? { GOMAXPROCS: String(threads) } : {}) },
    stdout: "ignore",
    stderr: "pipe",
  });
  return whenReady(proc, { ready: listening(port), timeoutMs: 10_000, pollMs: 50, why: async () => `caddy did not listen on ${port}: ${await new Response(proc.stderr).text()}`, cleanup: () => rmSync(dir, { recursive: true, force: true }) });
}

/** HAProxy in HTTP mode: routing by Host, keep-alive and connection reuse to the upstream, `threads` threads. */
export async function startHaproxy(port: number, host: string, upstreamPort: number, threads = 1): Promise<Started> {
  const dir = mkdtempSync(join(tmpdir(), "berth-bench-haproxy-"));
  const file = join(dir, "haproxy.cfg");
  writeFileSync(
    file,
    `global
  nbthread ${threads}
  maxconn 4096
defaults
  mode http
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  option http-keep-alive
frontend proxy
  bind 127.0.0.1:${port}
  use_backend app if { hdr(host) -i ${host} }
  default_backend unknown
backend app
  http-reuse always
  option forwardfor
  http-request set-header X-Forwarded-Proto http
  http-request set-header X-Forwarded-Host %[req.hdr(host)]
  http-request set-header X-Request-Id %[uuid]
  server app 127.0.0.1:${upstreamPort} maxconn 1024
backend unknown
  http-request return status 404
`,
  );
  const check = Bun.spawnSync(["haproxy", "-c", "-q", "-f", file], { stdout: "pipe", stderr: "pipe" });
  if (check.exitCode !== 0) throw new Error(`haproxy: bad config: ${check.stderr.toString().trim()}`);
  const proc = Bun.spawn(["haproxy", "-db", "-f", file], { stdout: "ignore", stderr: "pipe" });
  return whenReady(proc, { ready: listening(port), timeoutMs: 10_000, pollMs: 50, why: async () => `haproxy did not listen on ${port}: ${await new Response(proc.stderr).text()}`, cleanup: () => rmSync(dir, { recursive: true, force: true }) });
}
