import { createBerth, openState } from "../../app.ts";
import { dataFiles, loadConfig } from "../../config.ts";
import { VERSION } from "../../version.ts";
import { localUrl } from "../connect.ts";
import type { Verb } from "../verb.ts";

function listenParts(listen: string) {
  const i = listen.lastIndexOf(":");
  return { hostname: listen.slice(0, i).replace(/^\[|\]$/g, ""), port: Number(listen.slice(i + 1)) };
}

export const serve: Verb = {
  name: "serve",
  summary: "Run the control plane: API, web console, state",
  options: { "no-edge": { type: "boolean" } },
  optionHelp: ["--no-edge   do not start the edge proxy as a child process"],
  async run({ configFile, out }) {
    const config = loadConfig({ file: configFile });
    const berth = createBerth(config);
    let server: ReturnType<typeof Bun.serve>;
    try {
      server = Bun.serve({ ...listenParts(config.apiListen), fetch: berth.app.fetch, idleTimeout: 120 });
    } catch (error) {
      berth.close();
      throw new Error(`cannot listen on ${config.apiListen}: ${(error as Error).message}`);
    }
    const url = localUrl(`${config.apiListen.slice(0, config.apiListen.lastIndexOf(":"))}:${server.port}`);
    out(`berth ${VERSION}: API on ${url} (data in ${config.dataDir}${berth.migrated ? `, ${berth.migrated} migration(s) applied` : ""})`);
    out(`admin token: ${dataFiles(config).adminToken}`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
    await server.stop();
    berth.close();
    out("berth: stopped");
  },
};

export const migrate: Verb = {
  name: "migrate",
  summary: "Apply pending migrations to the state database and exit",
  async run({ configFile, out }) {
    const config = loadConfig({ file: configFile });
    const { db, migrated } = openState(config);
    db.$client.close();
    out(migrated > 0 ? `applied ${migrated} migration(s) to ${dataFiles(config).db}` : "the database is up to date");
  },
};
