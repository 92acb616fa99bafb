// The fleet registry's lifecycle with the real Distribution (Debian's docker-registry):
// `fleet init` starts it at the init address with its files, certificate and account, and
// `berth serve` (the compiled binary) starts it at boot once the fleet exists and stops it
// when it stops.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import Dockerode from "dockerode";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { createSecretBox } from "../src/adapters/crypto/secret-box.ts";
import { createFleetRegistryHost } from "../src/adapters/registry/fleet-registry-host.ts";
import { migrate, openDb } from "../src/adapters/store/db.ts";
import { createFleetStore } from "../src/adapters/store/fleet-store.ts";
import { releasePins, sha256Text } from "../src/core/fleet/bundle.ts";
import { initServer, type InitDeps } from "../src/core/fleet/init.ts";
import { freePort, startServe } from "./support/binary.ts";
import { eventually } from "./support/eventually.ts";

setDefaultTimeout(60_000);

const K3S = "#!/bin/sh\necho k3s stand-in\n";
const SCRIPT = "#!/bin/sh\necho install stand-in\n";

/** `GET /v2/` over TLS trusting only `ca`: the status, or the error's code when nothing answers as that registry. */
async function v2(address: string, ca: string, auth?: { username: string; password: string }): Promise<number | string> {
  try {
    const headers = auth ? { Authorization: `Basic ${btoa(`${auth.username}:${auth.password}`)}` } : undefined;
    const res = await fetch(`https://${address}/v2/`, { headers, tls: { ca }, signal: AbortSignal.timeout(2000) });
    await res.body?.cancel();
    return res.status;
  } catch (error) {
    return String((error as { code?: string }).code ?? (error as Error).message);
  }
}

describe("fleet init", () => {
  const port = freePort();
  const address = `127.0.0.1:${port}`;
  let home: string;
  let deps: InitDeps;
  let host: ReturnType<typeof createFleetRegistryHost>;

  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), "berth-fleet-registry-start-"));
    const bundle = join(home, "bundle");
    mkdirSync(bundle);
    writeFileSync(join(bundle, "k3s"), K3S);
    writeFileSync(join(bundle, "install.sh"), SCRIPT);
    const db = openDb(":memory:");
    migrate(db);
    host = createFleetRegistryHost({ dataDir: join(home, "data"), port, docker: new Dockerode(), certsDir: join(home, "certs.d") });
    deps = {
      store: createFleetStore(db),
      box: createSecretBox(randomBytes(32)),
      pins: releasePins({ binary: sha256Text(K3S), script: sha256Text(SCRIPT) }),
      root: join(home, "root"),
      dataDir: join(home, "data"),
      install: async () => writeFileSync(join(home, "root/usr/local/bin/k3s-uninstall.sh"), "#!/bin/sh\n", { mode: 0o755 }),
      isRoot: () => true,
      defaultAddress: () => "127.0.0.1",
      hostname: () => "server-1",
      registry: host,
    };
  });

  afterAll(async () => {
    await host?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  test("starts the registry at the init address: its files, the nodes' mirror and CA, the engine's trust, 401 to anyone without the account", async () => {
    const result = await initServer(deps, { bundle: join(home, "bundle"), address: "127.0.0.1" });
    expect(result.steps.at(-1)).toEqual({ what: `registry at ${address}`, outcome: "ran" });
    const data = (path: string) => join(home, "data", "registry", path);
    const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);
    for (const file of ["config.yml", "ca.key", "registry.key", "password", "htpasswd", "http-secret"]) expect(mode(data(file))).toBe("600");
    expect(mode(data("ca.crt"))).toBe("644");
    const ca = readFileSync(data("ca.crt"), "utf8");
    // Listening on the init address only.
    expect(parse(readFileSync(data("config.yml"), "utf8")).http.addr).toBe(address);

    // The server node pulls like every agent: the mirror with the account, and the CA beside it.
    const mirrors = parse(readFileSync(join(home, "root/etc/rancher/k3s/registries.yaml"), "utf8"));
    expect(mirrors.mirrors[address].endpoint).toEqual([`https://${address}`]);
    expect(mirrors.configs[address].tls.ca_file).toBe("/etc/rancher/k3s/berth-registry-ca.crt");
    expect(readFileSync(join(home, "root/etc/rancher/k3s/berth-registry-ca.crt"), "utf8")).toBe(ca);
    expect(readFileSync(join(home, "certs.d", address, "ca.crt"), "utf8")).toBe(ca);

    expect(await v2(address, ca)).toBe(401);
    expect(await v2(address, ca, mirrors.configs[address].auth)).toBe(200);
    expect(await v2(address, ca, { username: "berth", password: "wrong" })).toBe(401);
    expect(await host.current()).toBeDefined();
  });

  test("a second init finds it running and changes nothing; once stopped nothing answers and there is no registry to push to", async () => {
    const again = await initServer(deps, { bundle: join(home, "bundle"), address: "127.0.0.1" });
    expect(again.unchanged).toBe(true);
    await host.stop();
    expect(await host.current()).toBeUndefined();
    expect(await v2(address, readFileSync(join(home, "data/registry/ca.crt"), "utf8"))).toBe("ECONNREFUSED");
  });
});

describe("berth serve", () => {
  const port = freePort();
  const address = `127.0.0.1:${port}`;
  const certs = `/etc/docker/certs.d/${address}`;
  let server: Awaited<ReturnType<typeof startServe>>;
  const logs = () => readdirSync(server.home).filter((f) => f.endsWith(".out.log")).map((f) => readFileSync(join(server.home, f), "utf8")).join("");

  beforeAll(async () => {
    server = await startServe(["--no-edge"], { fleetRegistryPort: port });
    // No fleet yet: nothing is started.
    await server.stop();
    expect(logs()).not.toContain("fleet registry");
    const db = openDb(join(server.dataDir, "berth.db"));
    const box = createSecretBox(readFileSync(join(server.dataDir, "secret.key")));
    createFleetStore(db).saveServer({ url: "https://127.0.0.1:6443", tokenSealed: box.seal("t"), agentTokenSealed: box.seal("a"), k3sVersion: "v1.34.2+k3s1", initialisedAt: new Date().toISOString() });
    db.$client.close();
    await server.restart();
  });

  afterAll(async () => {
    await server?.close();
    rmSync(certs, { recursive: true, force: true });
  });

  test("starts the registry at boot once the fleet exists, trusted by this machine's engine, and stops it with serve", async () => {
    await eventually(() => logs().includes("fleet registry: started"), 20_000, "serve says the registry started");
    expect(logs()).toContain(`fleet registry: started at https://${address}`);
    const ca = readFileSync(join(server.dataDir, "registry/ca.crt"), "utf8");
    expect(readFileSync(join(certs, "ca.crt"), "utf8")).toBe(ca);
    expect(await v2(address, ca)).toBe(401);

    // Without a kubeconfig, status shows the records and one line why the cluster was not asked.
    const status = await server.run(["fleet", "status"]);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`what the cluster says is not shown: fleet mode has no cluster yet (no kubeconfig at ${join(server.dataDir, "fleet/kubeconfig.yaml")}): run berth fleet init first`);

    await server.stop();
    expect(await v2(address, ca)).toBe("ECONNREFUSED");
    expect(logs()).toContain("berth: stopped");
  });

  test("a registry that cannot start is one line, and serve starts anyway", async () => {
    // Something else holds the port: Distribution exits at once.
    const squatter = Bun.listen({ hostname: "127.0.0.1", port, socket: { data() {} } });
    try {
      await server.restart();
      await eventually(() => logs().split("\n").some((l) => l.startsWith("fleet registry: not started:")), 20_000, "serve says the registry did not start");
      const line = logs().split("\n").find((l) => l.startsWith("fleet registry: not started:"))!;
      expect(line).toContain("address already in use");
      expect((await fetch(`${server.url}/healthz`)).ok).toBe(true);
      expect(existsSync(join(server.dataDir, "logs/registry.log"))).toBe(true);
    } finally {
      squatter.stop(true);
    }
  });
});
