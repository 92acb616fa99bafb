import { copyFileSync, existsSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { snapshotDb } from "../backup/snapshot.ts";
import type { Systemd } from "./systemd.ts";

export interface UpgradeDeps {
  /** The installed binary, replaced by rename: /usr/local/bin/berth. */
  binaryPath: string;
  dataDir: string;
  /** The environment the units run with (their env file over ours), for the berth commands run here. */
  env: Record<string, string>;
  apiUrl: string;
  edgeMetricsUrl: string;
  systemd: Systemd;
  log: (line: string) => void;
  /** Makes the kernel move connections queued on a closing listener to another on its port; why not, or null (see kernel.ts). */
  moveQueuedConnections: () => string | null;
  /** A free loopback port for the bridging edge's /healthz (its proxy shares the edge's port). */
  freePort: () => number;
  /** How long to wait for each process to answer (default 60 s). */
  timeoutMs?: number;
}

/** Kept after each upgrade (the next overwrites it), so an operator can still go back by hand. */
export const PRE_UPGRADE_DB = "pre-upgrade-berth.db";

async function run(argv: string[], env: Record<string, string>): Promise<{ code: number; out: string; err: string }> {
  const proc = Bun.spawn(argv, { env, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, out, err };
}

async function healthVersion(url: string): Promise<string | null> {
  try {
    const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
    return response.ok ? (((await response.json()) as { version?: string }).version ?? null) : null;
  } catch {
    return null;
  }
}

async function waitFor(what: string, url: string, version: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let seen: string | null = null;
  while (Date.now() < deadline) {
    seen = await healthVersion(url);
    if (seen === version) return;
    await Bun.sleep(100);
  }
  throw new Error(`${what} did not answer as version ${version} on ${url} within ${timeoutMs / 1000} s (last seen: ${seen ?? "no answer"})`);
}

/**
 * Replaces the installed binary with `candidate` and moves both processes onto it:
 * 1. the candidate must run (`--version`); the DB is snapshotted; the control plane stops;
 * 2. the binary is swapped by rename and the new one migrates the DB, once, before it serves;
 *    a failed migration puts back the previous binary and the snapshot and starts the old control plane;
 * 3. the control plane starts on the new binary;
 * 4. the edge is handed over without dropping a request: a bridging edge on the new binary starts
 *    listening on the same port (SO_REUSEPORT), the unit's edge restarts (the old one stops
 *    accepting and drains), and once the new unit edge answers the bridge drains and stops.
 */
export async function upgrade(candidate: Buffer, deps: UpgradeDeps): Promise<{ from: string; to: string }> {
  const timeoutMs = deps.timeoutMs ?? 60_000;
  const bin = deps.binaryPath;
  for (const unit of ["berth.service", "berth-edge.service"]) {
    if (!(await deps.systemd.has(unit))) throw new Error(`${unit} is not installed: berth upgrade moves an install made by install.sh; elsewhere stop berth, replace the binary and start it again`);
  }
  const staged = `${bin}.new`;
  writeFileSync(staged, candidate, { mode: 0o755 });
  const probe = await run([staged, "--version"], deps.env);
  const to = /^berth (\S+)/.exec(probe.out.trim())?.[1];
  if (probe.code !== 0 || !to) {
    rmSync(staged, { force: true });
    throw new Error(`the new binary does not run here: ${(probe.err || probe.out).trim().split("\n")[0] || `exit status ${probe.code}`}`);
  }
  const from = /^berth (\S+)/.exec((await run([bin, "--version"], deps.env)).out.trim())?.[1] ?? "unknown";
  deps.log(`upgrade: ${from} → ${to}`);

  const db = join(deps.dataDir, "berth.db");
  const snapshot = join(deps.dataDir, PRE_UPGRADE_DB);
  if (existsSync(db)) {
    writeFileSync(snapshot, snapshotDb(db, join(deps.dataDir, `.upgrade-${process.pid}.db`)), { mode: 0o600 });
    deps.log(`upgrade: database snapshot in ${snapshot}`);
  }
  await deps.systemd.run(["systemctl", "stop", "berth.service"]);
  copyFileSync(bin, `${bin}.previous`);
  renameSync(staged, bin);
  const migrated = await run([bin, "migrate"], deps.env);
  if (migrated.code !== 0) {
    renameSync(`${bin}.previous`, bin);
    if (existsSync(snapshot)) {
      for (const suffix of ["-wal", "-shm"]) rmSync(`${db}${suffix}`, { force: true });
      copyFileSync(snapshot, db);
    }
    await deps.systemd.run(["systemctl", "start", "berth.service"]);
    const reason = (migrated.err || migrated.out).trim().split("\n")[0];
    throw new Error(`the migration failed (${reason}): put back berth ${from} and the database as it was, and started it again`);
  }
  deps.log(`upgrade: ${migrated.out.trim()}`);
  await deps.systemd.run(["systemctl", "start", "berth.service"]);
  await waitFor("the control plane", deps.apiUrl, to, timeoutMs);
  deps.log(`upgrade: control plane runs ${to}`);

  const unsafe = deps.moveQueuedConnections();
  if (unsafe) deps.log(`upgrade: ${unsafe}`);
  const bridgeUnit = `berth-edge-handover-${Date.now()}`;
  const bridgeUrl = `http://127.0.0.1:${deps.freePort()}`;
  // The unit's settings one by one, not its EnvironmentFile: systemd lets a file override
  // --setenv, and the bridge must not take the edge's own /healthz port.
  const settings = Object.entries({ ...deps.env, BERTH_EDGE_METRICS_LISTEN: bridgeUrl.slice("http://".length) })
    .filter(([key]) => key.startsWith("BERTH_"))
    .map(([key, value]) => `--setenv=${key}=${value}`);
  await deps.systemd.run([
    "systemd-run", `--unit=${bridgeUnit}`, "--collect", "--quiet", "--property=AmbientCapabilities=CAP_NET_BIND_SERVICE",
    ...settings, bin, "edge",
  ]);
  try {
    await waitFor("the bridging edge", bridgeUrl, to, timeoutMs);
    await deps.systemd.run(["systemctl", "restart", "berth-edge.service"]);
    await waitFor("the edge", deps.edgeMetricsUrl, to, timeoutMs);
  } finally {
    await deps.systemd.run(["systemctl", "stop", bridgeUnit]).catch((error: Error) => deps.log(`upgrade: ${error.message}`));
  }
  deps.log(`upgrade: edge runs ${to}; handed over without closing its port`);
  return { from, to };
}
