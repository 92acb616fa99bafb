import type Docker from "dockerode";
import { chmodSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { hostname, networkInterfaces } from "node:os";
import { join } from "node:path";
import { writePrivate } from "./lib/private-file.ts";
import { createSecretBox, loadOrCreateKey } from "./adapters/crypto/secret-box.ts";
import { createImageBuilder } from "./adapters/docker/image-builder.ts";
import { lazyEngine } from "./adapters/docker/lazy-engine.ts";
import { pullImage } from "./adapters/docker/pull-image.ts";
import { createRuntime } from "./runtime-wiring.ts";
import { createDockerJobRunner } from "./adapters/runtime/docker/job-run.ts";
import { createJobRunStore } from "./adapters/store/job-run-store.ts";
import { createAccessStore } from "./adapters/store/access-store.ts";
import { createCertStore } from "./adapters/store/cert-store.ts";
import type { CertRecord, CertStore } from "./ports/cert-store.ts";
import { createAcmeIssuer } from "./adapters/acme/acme-issuer.ts";
import { createCertManager } from "./core/tls/cert-manager.ts";
import { createCerts } from "./core/tls/certs.ts";
import { createReleaseStore } from "./adapters/store/release-store.ts";
import { createRouteStore } from "./adapters/store/route-store.ts";
import { createGitSource, generateDeployKey } from "./adapters/git/git-source.ts";
import { createFileLogStore } from "./adapters/logs/file-log-store.ts";
import { createBlockLogs } from "./app-logs.ts";
import { createBuildStore } from "./adapters/store/build-store.ts";
import { createCredentialStore } from "./adapters/store/credential-store.ts";
import { checkpoint, dbFiles, lostWalCommits, migrate, openDb, quickCheck, type Db } from "./adapters/store/db.ts";
import { listManagedObjects } from "./adapters/docker/managed-objects.ts";
import { createProjectStore } from "./adapters/store/project-store.ts";
import { createTokenStore } from "./adapters/store/token-store.ts";
import { createUserStore } from "./adapters/store/user-store.ts";
import { createAuditStore } from "./adapters/store/audit-store.ts";
import { createUsers } from "./core/people/users.ts";
import { createMembers } from "./core/people/members.ts";
import { createSessions } from "./core/people/sessions.ts";
import { createAudit, type Audit } from "./core/people/audit.ts";
import type { Jobs } from "./core/jobs/jobs.ts";
import { createVariableStore } from "./adapters/store/variable-store.ts";
import { createWebhookStore } from "./adapters/store/webhook-store.ts";
import { createNotificationStore } from "./adapters/store/notification-store.ts";
import { createWebhookSender } from "./adapters/http/webhook-sender.ts";
import { apiWebSocket, createHttpApp, type HttpAppOptions } from "./api/index.ts";
import { dataFiles, hostEnv, listenAddress, localUrl, parseQuantity, type Config } from "./config.ts";
import { DEFAULT_PRESET_IMAGES, type PresetImages } from "./core/build-presets.ts";
import { createAccess } from "./core/access.ts";
import { createBuilds } from "./core/builds/builds.ts";
import { createDeployments } from "./core/deploy/deployments.ts";
import { createFleet } from "./core/fleet/fleet.ts";
import { createManifestRenderer } from "./adapters/runtime/k3s/manifests.ts";
import { namespaceName } from "./adapters/runtime/k3s/names.ts";
import { createFleetStore } from "./adapters/store/fleet-store.ts";
import { createSshNodeShell } from "./adapters/fleet/ssh-node-shell.ts";
import { createK3sInstaller } from "./adapters/fleet/k3s-installer.ts";
import { createFleetNodes } from "./core/fleet/nodes.ts";
import { releasePins } from "./core/fleet/bundle.ts";
import { kubeconfigPath } from "./core/fleet/init.ts";
import { createFleetRegistryHost } from "./adapters/registry/fleet-registry-host.ts";
import { createClusterNodes } from "./adapters/runtime/k3s/cluster-nodes.ts";
import { lazyKubeClient } from "./adapters/runtime/k3s/cluster-client.ts";
import { createK3sLogSource } from "./adapters/runtime/k3s/log-source.ts";
import { createK3sJobRunner } from "./adapters/runtime/k3s/job-runner.ts";
import { createDockerLogSource } from "./adapters/runtime/docker/log-source.ts";
import { DEFAULT_BLOCK_DEFAULTS } from "./core/deploy/plan.ts";
import { removeProjectImages } from "./core/builds/project-images.ts";
import { createGitCredentials } from "./core/builds/credentials.ts";
import { createEnvironments } from "./core/environments.ts";
import { createExec } from "./core/exec.ts";
import { createJobs } from "./core/jobs/jobs.ts";
import { jobsOverview } from "./core/jobs/overview.ts";
import { releaseJobHooks } from "./core/jobs/release-hooks.ts";
import { createScheduler } from "./core/jobs/scheduler.ts";
import { createProjects } from "./core/projects.ts";
import type { Services } from "./core/services.ts";
import { createTokens } from "./core/tokens.ts";
import { createVariables } from "./core/variables.ts";
import { createAutoDeploy, type AutoDeploy } from "./core/webhooks/auto-deploy.ts";
import { createPoller } from "./core/webhooks/poll.ts";
import { createWebhooks } from "./core/webhooks/webhooks.ts";
import { createNotifications } from "./core/notify/notifications.ts";
import { certificateEvent, releaseEvent } from "./core/notify/event.ts";
import { jobEvent } from "./core/jobs/job-event.ts";
import { BerthError } from "./core/errors.ts";
import { createMetricsService } from "./metrics-wiring.ts";
import { createServiceBackupStore } from "./adapters/backups/service-backup-store.ts";
import { createServiceBackups } from "./core/catalog/backups.ts";
import { rotatePassword } from "./core/catalog/rotate.ts";
import { catalogListing } from "./core/catalog/service-catalog.ts";
import { checkOrphans, type OrphanChoice } from "./start-checks.ts";
import { VERSION } from "./version.ts";

const RESTORE_HINT = "restore it from a backup (berth backup restore FILE)";

/**
 * Opens the state DB in the data dir (creating both) and applies pending migrations; refuses
 * a damaged DB or WAL instead of starting on what is left of it. Private modes are set on
 * every start, whatever the umask and whatever an earlier version left.
 */
export function openState(config: Config): { db: Db; migrated: number } {
  const path = dataFiles(config).db;
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const wal = lostWalCommits(path);
  if (wal.lost > 0) {
    throw new BerthError(
      "internal",
      `the state database's write-ahead log ${path}-wal is damaged (frame ${wal.frame}): ${wal.lost} committed transaction(s) after it would be lost; not starting. Keep the data dir as it is and ${RESTORE_HINT}, or move ${path}-wal aside to accept the loss`,
    );
  }
  let db: Db;
  try {
    db = openDb(path);
  } catch (error) {
    throw new BerthError("internal", `the state database ${path} cannot be opened (${(error as Error).message}); not starting: ${RESTORE_HINT}`);
  }
  let problems: string[];
  try {
    problems = quickCheck(db);
  } catch (error) {
    problems = [(error as Error).message];
  }
  if (problems.length > 0) {
    db.$client.close();
    throw new BerthError("internal", `the state database ${path} is damaged (quick_check: ${problems[0]}); not starting: ${RESTORE_HINT}`);
  }
  const migrated = migrate(db);
  privateModes(config);
  return { db, migrated };
}

/** The data dir 0700; the DB, its WAL and SHM, and the key and token files 0600. */
function privateModes(config: Config) {
  const files = dataFiles(config);
  chmodSync(config.dataDir, 0o700);
  for (const file of [...dbFiles(files.db), files.secretKey, files.adminToken]) if (existsSync(file)) chmodSync(file, 0o600);
}

/** The composition root: the only place that knows which adapter serves which port. */
export function createServices(db: Db, secretKey: Buffer, config: Config, docker: Docker = lazyEngine(), log: (line: string) => void = () => {}): Services {
  const files = dataFiles(config);
  const box = createSecretBox(secretKey);
  // The fleet's registry on the server node; `fleetRegistry.current()` is the running one (an ImageRegistry) for pushes, once a start under way has ended.
  const fleetRegistry = createFleetRegistryHost({ dataDir: config.dataDir, port: config.fleetRegistryPort, docker });
  const projectStore = createProjectStore(db);
  const variableStore = createVariableStore(db);
  const gitCredentials = createGitCredentials({ projects: projectStore, store: createCredentialStore(db), box, generateKey: () => generateDeployKey() });
  const releases = createReleaseStore(db);
  const builder = createImageBuilder(docker);
  const variables = createVariables(projectStore, variableStore, box);
  const blockDefaults = { memoryBytes: parseQuantity(config.blockMemory), pidsLimit: config.blockPids, stopGraceSeconds: DEFAULT_BLOCK_DEFAULTS.stopGraceSeconds };
  // The cluster of `fleet init`'s kubeconfig, read on first use: serve starts before the cluster exists.
  const cluster = lazyKubeClient(kubeconfigPath(config.dataDir), { warn: log });
  const runtime = createRuntime(config, { docker, releases, variables, blockDefaults, registry: () => fleetRegistry.current(), cluster });
  // In fleet mode the cluster runs deploy hooks and schedules (Jobs, CronJobs); `berth job run` makes a Job there too.
  const fleetMode = config.runtime === "k3s";
  const routes = createRouteStore(db);
  const accessStore = createAccessStore(db);
  // Block output comes from where the blocks run: the engine's containers, or the cluster's pods.
  const logSource = fleetMode ? createK3sLogSource(cluster) : createDockerLogSource(docker);
  const logs = createBlockLogs(config, { source: logSource, projects: projectStore, runtime });
  const teardown = (project: string, environment: string, purgeVolumes: boolean) =>
    // Job runs stop first, and none starts until the network they would join is gone.
    jobs.removeEnvironment(project, environment, async () => {
      await runtime.remove(project, environment, { purgeVolumes });
      routes.removeEnvironmentRoutes(project, environment);
      accessStore.removeEnvironmentAccess(project, environment);
      logs.forgetEnvironment(project, environment);
    });
  const jobs = createJobs({
    projects: projectStore,
    releases,
    store: createJobRunStore(db),
    logs: createFileLogStore(files.jobLogs),
    // In fleet mode a run is a Job in the cluster, a copy of the release's own.
    runner: fleetMode ? createK3sJobRunner(cluster) : createDockerJobRunner(docker),
    variables,
    settings: { concurrency: config.jobConcurrency, logLimitBytes: parseQuantity(config.jobLogLimit), runsKept: config.jobRunsKept, blockDefaults },
    // Every finished run (not a skipped one) is a `job` notification.
    onFinished: (run) => void notifications.notify(jobEvent(run)),
  });
  const jobHooks = releaseJobHooks(jobs, releases);
  const git = createGitSource({ cacheDir: files.gitCache, knownHostsFile: files.knownHosts, hostEnv: hostEnv(), privateRoots: [config.dataDir] });
  const builds = createBuilds({
    projects: projectStore,
    store: createBuildStore(db),
    logs: createFileLogStore(files.buildLogs),
    credentials: gitCredentials,
    git,
    builder,
    settings: {
      limits: { memoryBytes: parseQuantity(config.buildMemory), cpus: config.buildCpus, timeoutMs: parseQuantity(config.buildTimeout) },
      concurrency: config.buildConcurrency,
      imagesKept: config.imagesKept,
      presetImages: { ...DEFAULT_PRESET_IMAGES, ...config.presetImages } as PresetImages,
      logLimitBytes: parseQuantity(config.buildLogLimit),
    },
    referencedImages: () => releases.referencedImageIds(),
    secrets: (project, environment) => variables.secretValues(project, environment),
  });
  const notifications = createNotifications({
    store: createNotificationStore(db),
    projects: projectStore,
    box,
    sender: createWebhookSender(),
    policy: { attempts: config.notifyAttempts, firstDelayMs: parseQuantity(config.notifyRetryDelay), timeoutMs: parseQuantity(config.notifyTimeout) },
    publicUrl: config.publicUrl ?? localUrl(config.apiListen),
    userAgent: `Berth/${VERSION}`,
  });
  const certStore = createCertStore(db);
  const deployments = createDeployments({
    projects: projectStore,
    releases,
    routes,
    logs: createFileLogStore(files.deployLogs),
    builds,
    variables,
    images: { findImage: (ref) => builder.findImage(ref), listImages: (labels) => builder.listImages(labels), pullImage: (ref) => pullImage(docker, ref) },
    runtime,
    domain: config.domain,
    edgePort: listenAddress(config.edgeListen).port,
    https: { port: listenAddress(config.edgeHttpsListen).port, hasCertificate: (host) => inForce(certStore.get(host)) },
    edgeSyncMs: parseQuantity(config.edgeSync),
    blockDefaults,
    crashWatchMs: parseQuantity(config.rolloutWatch),
    ...(!fleetMode && { beforeRollout: jobHooks.beforeRollout, afterRollout: jobHooks.afterRollout }),
    onFinished: (release) => void notifications.notify(releaseEvent(release)),
    catalogImages: config.catalogImages,
  });
  // Dumps of catalog services go beside Berth's own backups, one folder per service.
  const serviceBackups = createServiceBackups({
    projects: projectStore,
    releases,
    runtime,
    store: createServiceBackupStore(join(files.backups, "services")),
    jobs,
    exclusively: deployments.exclusively,
  });
  const userStore = createUserStore(db);
  const audit = createAudit({ store: createAuditStore(db), projectNames: () => projectStore.listProjects().map((p) => p.name), daysKept: config.auditDaysKept });
  const autoDeploy = createAutoDeploy({ deployments, log });
  const poller = createPoller({ projects: projectStore, deployments, git, credentials: gitCredentials, autoDeploy: polledDeploys(autoDeploy, audit), log });
  return {
    projects: createProjects({ store: projectStore, teardown, baseDomain: config.domain, removeImages: (project) => removeProjectImages(builder, project), runtime: config.runtime }),
    environments: createEnvironments(projectStore, variableStore, teardown, config.domain),
    variables,
    tokens: createTokens(createTokenStore(db)),
    users: createUsers({
      store: userStore,
      hasher: { hash: (p) => Bun.password.hash(p, { algorithm: "argon2id" }), verify: (p, h) => Bun.password.verify(p, h) },
      consoleUrl: config.publicUrl ?? (config.consoleHost ? `https://${config.consoleHost}` : localUrl(config.apiListen)),
    }),
    members: createMembers(userStore),
    sessions: createSessions(userStore),
    audit,
    gitCredentials,
    builds,
    deployments,
    access: createAccess({ projects: projectStore, store: accessStore, hashPassword: (p) => Bun.password.hash(p) }),
    exec: createExec({ projects: projectStore, runtime }),
    certs: certsFor(certStore, box, config, (record) => {
      // The environments serving the host hear about it; the console host has none.
      const holders = new Map(routes.hostHolders([record.host]).map((h) => [`${h.project}/${h.environment}`, h]));
      for (const holder of holders.values()) void notifications.notify(certificateEvent(holder, { host: record.host, notAfter: record.notAfter ?? "?", reason: record.reason }, new Date().toISOString()));
    }),
    webhooks: createWebhooks({ projects: projectStore, store: createWebhookStore(db), box, autoDeploy, publicUrl: config.publicUrl, log }),
    pollGit: () => poller.start(parseQuantity(config.autoDeployPoll)),
    notifications,
    metrics: createMetricsService(db, docker, config, projectStore),
    jobs: Object.assign(jobs, {
      overview: (project: string, environment: string) => jobsOverview({ projects: projectStore, releases, jobs }, project, environment),
      scheduler: createScheduler({ projects: projectStore, releases, jobs: scheduledJobs(jobs, audit), backups: serviceBackups, runsJobs: !fleetMode }),
    }),
    logs,
    fleet: createFleet({ projects: projectStore, releases, variables, renderer: createManifestRenderer(), blockDefaults, registry: () => fleetRegistry.current() }),
    fleetNodes: createFleetNodes({
      store: createFleetStore(db),
      box,
      shell: createSshNodeShell(),
      pins: releasePins({ binary: config.fleetK3sSha256, script: config.fleetK3sScriptSha256, images: config.fleetK3sImagesSha256 }),
      dataDir: config.dataDir,
      install: createK3sInstaller(hostEnv().PATH),
      isRoot: () => process.getuid?.() === 0,
      defaultAddress: () => Object.values(networkInterfaces()).flat().find((i) => i?.family === "IPv4" && !i.internal)?.address ?? null,
      hostname,
      registry: fleetRegistry,
      cluster: createClusterNodes(cluster),
      namespaces: () => new Map(projectStore.listProjects().flatMap((p) => p.environments.map((e) => [namespaceName(p.name, e), `${p.name}/${e}`] as const))),
    }),
    catalog: {
      list: catalogListing,
      backups: serviceBackups,
      rotatePassword: (project, environment, block, actor) => rotatePassword({ projects: projectStore, releases, runtime, variables, deployments }, project, environment, block, actor),
    },
  };
}

/** Deploys the git poller starts, each recorded in the audit log (pushes through webhooks are recorded where they arrive). */
function polledDeploys(autoDeploy: AutoDeploy, audit: Audit): Pick<AutoDeploy, "trigger" | "queued"> {
  return {
    queued: autoDeploy.queued,
    trigger(project, environment, origin) {
      const entry = { user: null, via: "poll", ip: null, method: "POST", route: "/api/projects/:project/environments/:env/deploys", project, environment, action: "deploy" };
      try {
        const triggered = autoDeploy.trigger(project, environment, origin);
        audit.record({ ...entry, detail: `${origin.source}${triggered.queued ? " (queued)" : ` release ${triggered.release}`}`, outcome: "ok", status: 202 });
        return triggered;
      } catch (error) {
        audit.record({ ...entry, detail: origin.source, outcome: error instanceof BerthError ? error.code : "internal", status: 409 });
        throw error;
      }
    },
  };
}

/** Jobs as the scheduler starts them: each run it starts (or that is refused) goes in the audit log. */
function scheduledJobs(jobs: Jobs, audit: Audit): Pick<Jobs, "start" | "list"> {
  return {
    list: jobs.list,
    start(project, environment, job, options) {
      const entry = { user: null, via: "schedule", ip: null, method: "POST", route: "/api/projects/:project/environments/:env/jobs/:job/runs", project, environment, action: "job run", detail: `job ${job}` };
      try {
        const run = jobs.start(project, environment, job, options);
        audit.record({ ...entry, detail: `job ${job} run ${run.id}: ${run.status}`, outcome: "ok", status: 202 });
        return run;
      } catch (error) {
        audit.record({ ...entry, outcome: error instanceof BerthError ? error.code : "internal", status: 409 });
        throw error;
      }
    },
  };
}

/** A certificate the edge serves now: issued or imported, and not past its end. */
const inForce = (record: CertRecord | null) => Boolean(record?.certPem && record.notAfter && Date.parse(record.notAfter) > Date.now());

/** Certificates: the store, the ACME account and CA, and the manager that orders and renews. */
function certsFor(store: CertStore, box: ReturnType<typeof createSecretBox>, config: Config, onExpiring: (record: CertRecord) => void) {
  let extraCa: string | undefined;
  if (config.acmeCaFile) {
    try {
      extraCa = readFileSync(config.acmeCaFile, "utf8");
    } catch (error) {
      throw new BerthError("invalid", `acmeCaFile: cannot read ${config.acmeCaFile}: ${(error as Error).message.split("\n")[0]}`);
    }
  }
  const issuer = createAcmeIssuer({ directory: config.acmeDirectory, email: config.acmeEmail, extraCa }, store, box);
  const manager = createCertManager({ store, issuer, box, consoleHost: config.consoleHost, retryMs: parseQuantity(config.acmeRetry), onExpiring });
  return createCerts({ store, box, manager });
}

export interface Berth {
  services: Services;
  app: ReturnType<typeof createHttpApp>;
  /** Pass to Bun.serve beside `app.fetch`, for the API's websockets. */
  websocket: typeof apiWebSocket;
  /** Empties the WAL into the database file (serve calls it periodically). */
  checkpoint(): void;
  close(): void;
}

export interface StartOptions extends HttpAppOptions {
  /** An empty state beside Berth-labelled containers or volumes: refuse (default), adopt them, or start fresh. */
  orphans?: OrphanChoice;
  docker?: Docker;
  /** Lines worth telling the operator at start. */
  notes?: (line: string) => void;
}

/** Everything `berth serve` runs, minus the socket: state, services, HTTP app, first owner token. */
export async function createBerth(config: Config, options: StartOptions = {}): Promise<Berth & { migrated: number }> {
  const { db, migrated } = openState(config);
  try {
    const files = dataFiles(config);
    const docker = options.docker ?? lazyEngine();
    if (createTokenStore(db).countUsers() === 0) {
      let objects;
      try {
        objects = await listManagedObjects(docker);
      } catch (error) {
        options.notes?.(`state: could not look for Berth's containers on the engine (${(error as Error).message.split("\n")[0]}); starting as a fresh install`);
      }
      if (objects) for (const line of checkOrphans(objects, options.orphans ?? "refuse", files.db)) options.notes?.(line);
    }
    const services = createServices(db, loadOrCreateKey(files.secretKey), config, docker, options.notes);
    services.builds.failInterrupted();
    services.deployments.failInterrupted();
    try {
      const removed = await services.jobs.failInterrupted();
      if (removed > 0) options.notes?.(`jobs: removed ${removed} container(s) of runs interrupted when the server stopped`);
    } catch (error) {
      options.notes?.(`jobs: could not remove the containers of interrupted runs: ${(error as Error).message.split("\n")[0]}`);
    }
    services.notifications.failInterrupted();
    const ownerToken = services.tokens.bootstrapOwner();
    if (ownerToken) writeOwnerToken(files.adminToken, ownerToken);
    return {
      services,
      app: createHttpApp(services, options),
      websocket: apiWebSocket,
      migrated,
      checkpoint: () => void checkpoint(db),
      close: () => {
        checkpoint(db);
        db.$client.close();
      },
    };
  } catch (error) {
    db.$client.close();
    throw error;
  }
}

/** admin.token, 0600 even when the file existed with a looser mode, written whole. */
function writeOwnerToken(path: string, token: string) {
  writePrivate(path, `${token}\n`);
}

/**
 * `berth token reset-owner`: a new owner token straight from the data dir, so whoever can
 * write it (root on an install) gets owner access back, whether or not serve runs.
 */
export function resetOwnerToken(config: Config): string {
  const files = dataFiles(config);
  if (!existsSync(files.db)) throw new Error(`no Berth state in ${config.dataDir} (${files.db} is missing); pass --config or set BERTH_DATA_DIR`);
  const { db } = openState(config);
  try {
    const previous = existsSync(files.adminToken) ? readFileSync(files.adminToken, "utf8").trim() : undefined;
    writeOwnerToken(files.adminToken, createTokens(createTokenStore(db)).resetOwner(previous));
    return files.adminToken;
  } finally {
    db.$client.close();
  }
}
