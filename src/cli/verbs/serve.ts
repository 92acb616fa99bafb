import { ensureEdge } from "../../edge/supervisor.ts";
import { dataFiles, listenAddress, loadConfig, localUrl } from "../../config.ts";
import { VERSION } from "../../version.ts";
import { forgetLocalServer, recordLocalServer } from "../connect.ts";
import type { Verb } from "../verb.ts";

/** How often routes are checked against what runs (ports change when containers restart). */
const ROUTE_SYNC_MS = 10_000;

export const serve: Verb = {
  name: "serve",
  summary: "Run the control plane: API, web console, state",
  options: { "no-edge": { type: "boolean" } },
  optionHelp: ["--no-edge   do not start (or adopt) the edge proxy"],
  async run({ configFile, values, out }) {
    const config = loadConfig({ file: configFile });
    // Loaded here, not at the top: the engine client and its dependencies are heavy, and no
    // other verb (the edge, the API clients) should pay for them.
    const { createBerth } = await import("../../app.ts");
    const berth = createBerth(config);
    let server: ReturnType<typeof Bun.serve>;
    try {
      server = Bun.serve({ ...listenAddress(config.apiListen), fetch: berth.app.fetch, websocket: berth.websocket, idleTimeout: 120 });
    } catch (error) {
      berth.close();
      throw new Error(`cannot listen on ${config.apiListen}: ${(error as Error).message}`);
    }
    const url = localUrl(`${config.apiListen.slice(0, config.apiListen.lastIndexOf(":"))}:${server.port}`);
    out(`berth ${VERSION}: API on ${url} (data in ${config.dataDir}${berth.migrated ? `, ${berth.migrated} migration(s) applied` : ""})`);
    out(`admin token: ${dataFiles(config).adminToken}`);
    // Lets the CLI of this user find this server whatever the data dir (a checkout's or /var/lib/berth).
    recordLocalServer({ url, tokenFile: dataFiles(config).adminToken, dataDir: config.dataDir });
    if (!values["no-edge"]) {
      try {
        await ensureEdge(config, out, { configFile });
      } catch (error) {
        await server.stop();
        berth.close();
        throw error;
      }
    }
    const syncRoutes = () =>
      berth.services.deployments.syncRoutes().then(
        (changed) => changed > 0 && out(`routes: ${changed} block(s) now point at what runs`),
        (error: Error) => out(`routes: not refreshed: ${error.message.split("\n")[0]}`),
      );
    await syncRoutes();
    const timer = setInterval(syncRoutes, ROUTE_SYNC_MS);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
    clearInterval(timer);
    await server.stop();
    berth.close();
    forgetLocalServer(config.dataDir);
    out("berth: stopped");
  },
};

export const migrate: Verb = {
  name: "migrate",
  summary: "Apply pending migrations to the state database and exit",
  async run({ configFile, out }) {
    const config = loadConfig({ file: configFile });
    const { openState } = await import("../../app.ts");
    const { db, migrated } = openState(config);
    db.$client.close();
    out(migrated > 0 ? `applied ${migrated} migration(s) to ${dataFiles(config).db}` : "the database is up to date");
  },
};
