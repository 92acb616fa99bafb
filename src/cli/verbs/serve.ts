import { watchEdge, type EdgeWatch } from "../../edge/edge-watch.ts";
import { ensureEdge } from "../../edge/supervisor.ts";
import { dataFiles, listenAddress, loadConfig, localUrl, parseQuantity } from "../../config.ts";
import { afterRestore } from "../../backup/after-restore.ts";
import { scheduleBackups } from "../../backup/run.ts";
import { servePidFile } from "../../backup/serve-check.ts";
import { removeOwnPidFile, writePidFile } from "../../lib/pid-file.ts";
import { COMMIT, VERSION } from "../../version.ts";
import { forgetLocalServer, recordLocalServer } from "../connect.ts";
import { UsageError, type Verb } from "../verb.ts";

/** How often routes are checked against what runs, besides the engine's events that trigger it at once. */
const ROUTE_SYNC_MS = 10_000;
/** How often the WAL is emptied into the database file, bounding what a damaged WAL can lose. */
const CHECKPOINT_MS = 60_000;

export const serve: Verb = {
  name: "serve",
  summary: "Run the control plane: API, web console, state",
  options: { "no-edge": { type: "boolean" }, "adopt-orphans": { type: "boolean" }, fresh: { type: "boolean" } },
  optionHelp: [
    "--no-edge         do not start (or adopt) the edge proxy",
    "--adopt-orphans   state is empty but Berth's containers/volumes exist: start, keep them, take them over on deploy",
    "--fresh           state is empty but Berth's containers/volumes exist: start empty, leave them alone",
  ],
  async run({ configFile, values, out }) {
    if (values["adopt-orphans"] && values.fresh) throw new UsageError("choose one of --adopt-orphans and --fresh");
    const config = loadConfig({ file: configFile });
    // Loaded here, not at the top: the engine client and its dependencies are heavy, and no
    // other verb (the edge, the API clients) should pay for them.
    const { createBerth } = await import("../../app.ts");
    const orphans = values["adopt-orphans"] ? "adopt" : values.fresh ? "fresh" : "refuse";
    let edge: EdgeWatch | null = null;
    const berth = await createBerth(config, { orphans, notes: out, health: () => ({ edge: edge?.state() ?? null, edgeMetrics: localUrl(config.edgeMetricsListen) }) });
    const syncRoutes = () =>
      berth.services.deployments.syncRoutes().then(
        (changed) => {
          if (changed > 0) out(`routes: ${changed} block(s) now point at what runs`);
          return changed;
        },
        (error: Error) => {
          out(`routes: not refreshed: ${error.message.split("\n")[0]}`);
          return 0;
        },
      );
    // Before anyone is answered: a server killed mid-rollout, or containers restarted while it was
    // down, leave routes pointing at ports nothing listens on. A running edge needs a poll to see them.
    if ((await syncRoutes()) > 0) await Bun.sleep(parseQuantity(config.edgeSync));
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
    // The console signs in with a password; the owner made at first start has none yet.
    const owners = berth.services.users.list().filter((u) => u.role === "owner");
    if (owners.length > 0 && !owners.some((u) => u.hasPassword)) {
      out(`console: ${url}/ — give ${owners[0]!.name} a password first: berth user password ${owners[0]!.name} --password-stdin (or an invitation link: berth user invite ${owners[0]!.name})`);
    }
    // Lets the CLI of this user find this server whatever the data dir (a checkout's or /var/lib/berth).
    recordLocalServer({ url, tokenFile: dataFiles(config).adminToken, dataDir: config.dataDir });
    writePidFile(servePidFile(config.dataDir));
    let ssh: { stop: () => Promise<void> } | null = null;
    if (config.sshListen) {
      const { startSsh } = await import("../../ssh-wiring.ts");
      try {
        ssh = await startSsh({ listen: config.sshListen, hostKeyFile: dataFiles(config).sshHostKey, services: berth.services, fetch: berth.app.fetch, url, log: out });
      } catch (error) {
        await server.stop();
        berth.close();
        throw new Error(`cannot listen for SSH on ${config.sshListen}: ${(error as Error).message}`);
      }
    }
    if (config.edgeProcess === "external") out("edge: run by its own supervisor (edgeProcess: external)");
    if (!values["no-edge"] && config.edgeProcess === "serve") {
      try {
        edge = watchEdge(config, await ensureEdge(config, out, { configFile }), out, { configFile });
      } catch (error) {
        await server.stop();
        berth.close();
        throw error;
      }
    }
    const unfollow = berth.services.deployments.followRuntime(out);
    const stopSchedules = berth.services.jobs.scheduler.start(out);
    // Orders, renews and retries certificates for every routed public host (see docs/tls.md).
    const stopCerts = berth.services.certs.run(out);
    const stopPolling = berth.services.pollGit();
    const stopSampling = berth.services.metrics.start(out);
    const stopCollecting = berth.services.logs.collect(out);
    // The registry every fleet node pulls from runs beside serve once `fleet init` has run; it never holds up or fails the start.
    const stopRegistry = berth.services.fleetNodes.startRegistry(out);
    await afterRestore(config.dataDir, berth.services, out);
    const unschedule = scheduleBackups(
      { dataDir: config.dataDir, dir: dataFiles(config).backups, version: VERSION, commit: COMMIT, pattern: config.backupSchedule, keep: config.backupKeep, passphraseFile: config.backupPassphraseFile || undefined },
      out,
    );
    // The repair path for whatever the engine's events missed.
    const timer = setInterval(syncRoutes, ROUTE_SYNC_MS);
    const checkpoints = setInterval(() => {
      try {
        berth.checkpoint();
      } catch (error) {
        out(`state: checkpoint failed: ${(error as Error).message.split("\n")[0]}`);
      }
    }, CHECKPOINT_MS);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
    clearInterval(timer);
    clearInterval(checkpoints);
    unschedule();
    unfollow();
    stopSchedules();
    stopCerts();
    stopPolling();
    stopSampling();
    stopCollecting();
    // The edge outlives serve on purpose: sites keep answering while the control plane is away.
    edge?.stop();
    await ssh?.stop();
    await server.stop();
    // After the API: a `fleet init` still running could otherwise start a registry nobody stops.
    await stopRegistry();
    berth.close();
    forgetLocalServer(config.dataDir);
    removeOwnPidFile(servePidFile(config.dataDir));
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

export const resetOwner: Verb = {
  name: "token reset-owner",
  summary: "Write a new owner token to <data dir>/admin.token, straight from the state (needs write access to the data dir)",
  async run({ configFile, out }) {
    const config = loadConfig({ file: configFile });
    const { resetOwnerToken } = await import("../../app.ts");
    out(`new owner token written to ${resetOwnerToken(config)}`);
  },
};
