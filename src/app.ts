import type Docker from "dockerode";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { createSecretBox, loadOrCreateKey } from "./adapters/crypto/secret-box.ts";
import { createImageBuilder } from "./adapters/docker/image-builder.ts";
import { lazyEngine } from "./adapters/docker/lazy-engine.ts";
import { pullImage } from "./adapters/docker/pull-image.ts";
import { createDockerRuntime } from "./adapters/runtime/docker/runtime.ts";
import { createAccessStore } from "./adapters/store/access-store.ts";
import { createReleaseStore } from "./adapters/store/release-store.ts";
import { createRouteStore } from "./adapters/store/route-store.ts";
import { createGitSource, generateDeployKey } from "./adapters/git/git-source.ts";
import { createFileLogStore } from "./adapters/logs/file-log-store.ts";
import { createBuildStore } from "./adapters/store/build-store.ts";
import { createCredentialStore } from "./adapters/store/credential-store.ts";
import { migrate, openDb, type Db } from "./adapters/store/db.ts";
import { createProjectStore } from "./adapters/store/project-store.ts";
import { createTokenStore } from "./adapters/store/token-store.ts";
import { createVariableStore } from "./adapters/store/variable-store.ts";
import { createHttpApp } from "./api/index.ts";
import { dataFiles, hostEnv, listenAddress, parseQuantity, type Config } from "./config.ts";
import { DEFAULT_PRESET_IMAGES, type PresetImages } from "./core/build-presets.ts";
import { createAccess } from "./core/access.ts";
import { createBuilds } from "./core/builds/builds.ts";
import { createDeployments } from "./core/deploy/deployments.ts";
import { createGitCredentials } from "./core/builds/credentials.ts";
import { createEnvironments } from "./core/environments.ts";
import { createProjects } from "./core/projects.ts";
import type { Services } from "./core/services.ts";
import { createTokens } from "./core/tokens.ts";
import { createVariables } from "./core/variables.ts";

/** Opens the state DB in the data dir (creating both) and applies pending migrations. */
export function openState(config: Config): { db: Db; migrated: number } {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const db = openDb(dataFiles(config).db);
  return { db, migrated: migrate(db) };
}

/** The composition root: the only place that knows which adapter serves which port. */
export function createServices(db: Db, secretKey: Buffer, config: Config, docker: Docker = lazyEngine()): Services {
  const files = dataFiles(config);
  const box = createSecretBox(secretKey);
  const projectStore = createProjectStore(db);
  const variableStore = createVariableStore(db);
  const gitCredentials = createGitCredentials({ projects: projectStore, store: createCredentialStore(db), box, generateKey: () => generateDeployKey() });
  const releases = createReleaseStore(db);
  const builder = createImageBuilder(docker);
  const runtime = createDockerRuntime(docker, { drainMs: parseQuantity(config.deployDrain), settleMs: parseQuantity(config.deploySettle) });
  const routes = createRouteStore(db);
  const accessStore = createAccessStore(db);
  const teardown = async (project: string, environment: string, purgeVolumes: boolean) => {
    await runtime.remove(project, environment, { purgeVolumes });
    routes.removeEnvironmentRoutes(project, environment);
    accessStore.removeEnvironmentAccess(project, environment);
  };
  const variables = createVariables(projectStore, variableStore, box);
  const builds = createBuilds({
    projects: projectStore,
    store: createBuildStore(db),
    logs: createFileLogStore(files.buildLogs),
    credentials: gitCredentials,
    git: createGitSource({ cacheDir: files.gitCache, knownHostsFile: files.knownHosts, hostEnv: hostEnv(), privateRoots: [config.dataDir] }),
    builder,
    settings: {
      limits: { memoryBytes: parseQuantity(config.buildMemory), cpus: config.buildCpus, timeoutMs: parseQuantity(config.buildTimeout) },
      concurrency: config.buildConcurrency,
      imagesKept: config.imagesKept,
      presetImages: { ...DEFAULT_PRESET_IMAGES, ...config.presetImages } as PresetImages,
    },
    referencedImages: () => releases.referencedImageIds(),
  });
  return {
    projects: createProjects(projectStore, teardown),
    environments: createEnvironments(projectStore, variableStore, teardown),
    variables,
    tokens: createTokens(createTokenStore(db)),
    gitCredentials,
    builds,
    deployments: createDeployments({
      projects: projectStore,
      releases,
      routes,
      logs: createFileLogStore(files.deployLogs),
      builds,
      variables,
      images: { findImage: (ref) => builder.findImage(ref), pullImage: (ref) => pullImage(docker, ref) },
      runtime,
      domain: config.domain,
      edgePort: listenAddress(config.edgeListen).port,
      edgeSyncMs: parseQuantity(config.edgeSync),
    }),
    access: createAccess({ projects: projectStore, store: accessStore, hashPassword: (p) => Bun.password.hash(p) }),
  };
}

export interface Berth {
  services: Services;
  app: ReturnType<typeof createHttpApp>;
  close(): void;
}

/** Everything `berth serve` runs, minus the socket: state, services, HTTP app, first owner token. */
export function createBerth(config: Config): Berth & { migrated: number } {
  const { db, migrated } = openState(config);
  const files = dataFiles(config);
  const services = createServices(db, loadOrCreateKey(files.secretKey), config);
  services.builds.failInterrupted();
  services.deployments.failInterrupted();
  const ownerToken = services.tokens.bootstrapOwner();
  if (ownerToken) {
    writeFileSync(files.adminToken, `${ownerToken}\n`, { mode: 0o600 });
    chmodSync(files.adminToken, 0o600);
  }
  return { services, app: createHttpApp(services), migrated, close: () => db.$client.close() };
}
