// test-lane: sequential (asserts the edge follows a route change within a bound; keep it off a busy machine's other lanes)
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrate, openDb } from "../src/adapters/store/db.ts";
import { loadConfig } from "../src/config.ts";
import { ensureEdge } from "../src/edge/supervisor.ts";
import { stateDir, upstream } from "../src/edge/test-fixtures.ts";
import { eventually } from "./support/eventually.ts";
import { freePort, freshBinary, waitForHealth } from "./support/binary.ts";

// Processes this file started (edges run detached), stopped by pid at the end.
const started = new Set<number>();
afterAll(async () => {
  for (const pid of started) {
    try {
      process.kill(pid, "SIGTERM");
    } catch {}
  }
  await Bun.sleep(200);
});

const blue = upstream("blue");
const green = upstream("green");
afterAll(() => (blue.stop(), green.stop()));

function settings(dataDir: string) {
  const edgePort = freePort();
  const metricsPort = freePort();
  return {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: dataDir,
      BERTH_DATA_DIR: dataDir,
      BERTH_EDGE_LISTEN: `127.0.0.1:${edgePort}`,
      BERTH_EDGE_METRICS_LISTEN: `127.0.0.1:${metricsPort}`,
      BERTH_EDGE_HTTPS_LISTEN: `127.0.0.1:${freePort()}`,
      BERTH_API_LISTEN: `127.0.0.1:${freePort()}`,
    },
    edgeUrl: `http://127.0.0.1:${edgePort}`,
    metricsUrl: `http://127.0.0.1:${metricsPort}`,
  };
}

async function startEdgeBinary(dataDir: string) {
  const s = settings(dataDir);
  const proc = Bun.spawn([freshBinary(), "edge"], { env: s.env, stdout: "pipe", stderr: "pipe" });
  started.add(proc.pid);
  await waitForHealth(s.metricsUrl);
  return { ...s, proc };
}

/** A process's output up to the first line containing `needle`. */
async function readUntil(stream: ReadableStream<Uint8Array>, needle: string, timeoutMs: number): Promise<string> {
  const reader = stream.getReader();
  const deadline = Date.now() + timeoutMs;
  let text = "";
  while (!text.includes(needle)) {
    const chunk = await Promise.race([reader.read(), Bun.sleep(Math.max(0, deadline - Date.now())).then(() => null)]);
    if (!chunk || chunk.done) throw new Error(`no "${needle}" in the output: ${text}`);
    text += new TextDecoder().decode(chunk.value);
  }
  reader.releaseLock();
  return text;
}

const hit = async (url: string, host: string) => {
  const response = await fetch(url, { headers: { host } });
  return response.ok ? ((await response.json()) as { name: string }).name : response.status;
};

describe("berth edge (compiled binary)", () => {
  test("started before serve ever ran, it waits for the DB, then serves its routes", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "berth-edge-proc-"));
    const edge = await startEdgeBinary(dataDir);
    expect(await hit(edge.edgeUrl, "web.prod.shop.localhost")).toBe(404);
    expect(await (await fetch(`${edge.metricsUrl}/healthz`)).json()).toMatchObject({ status: "ok", pid: edge.proc.pid, routes: 0 });
    expect(readFileSync(join(dataDir, "edge.pid"), "utf8").trim()).toBe(String(edge.proc.pid));

    const db = openDb(join(dataDir, "berth.db"));
    migrate(db);
    db.$client.run(
      "INSERT INTO edge_routes (host, path_prefix, project, environment, block, auth, upstreams, updated_at) VALUES (?, '', 'shop', 'prod', 'web', 'none', ?, 'now')",
      ["web.prod.shop.localhost", JSON.stringify([{ host: "127.0.0.1", port: blue.port }])],
    );
    await eventually(async () => (await hit(edge.edgeUrl, "web.prod.shop.localhost")) === "blue", 2000);
    db.$client.close();

    edge.proc.kill("SIGTERM");
    expect(await edge.proc.exited).toBe(0);
    expect(existsSync(join(dataDir, "edge.pid"))).toBe(false);
    expect(await new Response(edge.proc.stdout).text()).toContain("edge: stopped");
  });

  test("follows a route change without a restart and keeps serving while another connection writes", async () => {
    const state = stateDir();
    state.route({ host: "web.prod.shop.localhost", block: "web", ports: [blue.port] });
    const edge = await startEdgeBinary(state.dataDir);
    expect(await hit(edge.edgeUrl, "web.prod.shop.localhost")).toBe("blue");

    state.route({ host: "web.prod.shop.localhost", block: "web", ports: [green.port] });
    // The poll is the assertion: it throws when the edge has not switched within the bound.
    await eventually(async () => (await hit(edge.edgeUrl, "web.prod.shop.localhost")) === "green", 2000);

    // A long write transaction (a deploy writing many rows) must not stall the data plane.
    state.db.$client.exec("BEGIN IMMEDIATE");
    state.route({ host: "new.prod.shop.localhost", block: "new", ports: [blue.port] });
    const during: (string | number)[] = [];
    const until = Date.now() + 1200;
    while (Date.now() < until) during.push(await hit(edge.edgeUrl, "web.prod.shop.localhost"));
    expect(new Set(during)).toEqual(new Set(["green"]));
    expect(await hit(edge.edgeUrl, "new.prod.shop.localhost")).toBe(404);
    state.db.$client.exec("COMMIT");
    await eventually(async () => (await hit(edge.edgeUrl, "new.prod.shop.localhost")) === "blue", 1000);

    edge.proc.kill("SIGTERM");
    await edge.proc.exited;
    state.close();
  }, 15_000);
});

describe("edge supervision", () => {
  /** Settings as a --config file: that is how serve hands its own to the edge it starts. */
  function configFile(dataDir: string, extra: Record<string, unknown> = {}) {
    const s = settings(dataDir);
    const file = join(dataDir, "config.yaml");
    writeFileSync(file, JSON.stringify({ dataDir, edgeListen: s.env.BERTH_EDGE_LISTEN, edgeHttpsListen: s.env.BERTH_EDGE_HTTPS_LISTEN, edgeMetricsListen: s.env.BERTH_EDGE_METRICS_LISTEN, apiListen: s.env.BERTH_API_LISTEN, ...extra }));
    return { ...s, file, config: loadConfig({ file, env: {} }) };
  }

  test("ensureEdge starts a detached edge, then adopts it instead of starting another", async () => {
    const state = stateDir();
    state.route({ host: "web.prod.shop.localhost", block: "web", ports: [blue.port] });
    const { file, config, edgeUrl } = configFile(state.dataDir);
    const lines: string[] = [];
    const first = await ensureEdge(config, (l) => lines.push(l), { configFile: file });
    started.add(first.pid);
    expect(first.adopted).toBe(false);
    expect(await hit(edgeUrl, "web.prod.shop.localhost")).toBe("blue");
    expect(readFileSync(join(state.dataDir, "logs", "edge.log"), "utf8")).toContain("route table loaded: 1 route(s)");

    const second = await ensureEdge(config, (l) => lines.push(l), { configFile: file });
    expect(second).toEqual({ pid: first.pid, adopted: true });
    expect(lines.at(-1)).toStartWith(`edge: adopted running edge (pid ${first.pid}`);
    process.kill(first.pid, "SIGTERM");
    state.close();
  });

  test("a taken edge port fails with one clear line", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "berth-edge-busy-"));
    const { file, config } = configFile(dataDir);
    const port = Number(config.edgeListen.split(":")[1]);
    const squatter = Bun.listen({ hostname: "127.0.0.1", port, socket: { data() {} } });
    try {
      const failure = await ensureEdge(config, () => {}, { configFile: file }).then(() => null, (error: Error) => error.message);
      expect(failure).toMatch(new RegExp(`^edge: cannot listen on 127\\.0\\.0\\.1:${port} \\(proxy\\): address already in use`));
      expect(failure).not.toContain("\n");
    } finally {
      squatter.stop(true);
    }
  });

  test("kill -9 of berth serve leaves its edge serving, and the next serve adopts it", async () => {
    const state = stateDir();
    state.route({ host: "web.prod.shop.localhost", block: "web", ports: [blue.port] });
    const { file, edgeUrl } = configFile(state.dataDir);
    const serve = Bun.spawn([freshBinary(), "serve", "--fresh", "--config", file], { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: state.dataDir }, stdout: "pipe", stderr: "pipe" });
    started.add(serve.pid);
    await eventually(() => existsSync(join(state.dataDir, "edge.pid")), 15_000);
    const edgePid = Number(readFileSync(join(state.dataDir, "edge.pid"), "utf8"));
    started.add(edgePid);
    await eventually(async () => (await hit(edgeUrl, "web.prod.shop.localhost").catch(() => 0)) === "blue", 5000);

    serve.kill("SIGKILL");
    await serve.exited;
    for (let i = 0; i < 20; i++) expect(await hit(edgeUrl, "web.prod.shop.localhost")).toBe("blue");

    const again = Bun.spawn([freshBinary(), "serve", "--fresh", "--config", file], { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: state.dataDir }, stdout: "pipe", stderr: "pipe" });
    started.add(again.pid);
    const output = await readUntil(again.stdout, "edge:", 15_000);
    expect(output).toContain(`edge: adopted running edge (pid ${edgePid}`);
    again.kill("SIGTERM");
    await again.exited;
    expect(await hit(edgeUrl, "web.prod.shop.localhost")).toBe("blue");
    process.kill(edgePid, "SIGTERM");
    state.close();
  }, 30_000);
});
