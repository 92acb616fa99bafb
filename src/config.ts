import { existsSync, readFileSync } from "node:fs";
import { availableParallelism, homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { cronPattern } from "./core/project-file/fields.ts";
import { PRESETS } from "./core/project-file/schema.ts";
import { RUNTIMES } from "./core/project-file/fleet-rules.ts";
import { TEMPLATE_NAMES } from "./core/catalog/catalog.ts";
import { parseCidr } from "./lib/cidr.ts";
import { publicIPv4 } from "./lib/public-address.ts";

const listen = z
  .string()
  .regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, "expected host:port such as 127.0.0.1:7070")
  .refine((v) => Number(v.slice(v.lastIndexOf(":") + 1)) <= 65535, "port must be at most 65535");

/** `10.0.0.0/8`, `fd00::/8` or a bare address; a list in the file, comma-separated in env. */
const cidr = z.string().superRefine((v, ctx) => {
  if (!parseCidr(v)) ctx.addIssue({ code: "custom", message: `not an IP address or CIDR such as 10.0.0.0/8: ${JSON.stringify(v)}` });
});
const cidrList = z.preprocess((v) => (typeof v === "string" ? v.split(",").map((s) => s.trim()).filter(Boolean) : v), z.array(cidr));
const size = (example: string) => z.string().regex(/^[1-9][0-9]*(Mi|Gi)$/, `expected a size such as ${example}`);
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, "expected a sha256 as 64 lower-case hex digits");
const duration = z.string().regex(/^\d+(ms|s|m)$/, "expected a duration such as 500ms, 2s or 1m");

/** Running from a compiled binary: its entry point lives in Bun's embedded file system. */
export const isCompiled = () => Bun.main.startsWith("/$bunfs/");

/** Source checkout: `<repo>/.berth`; compiled (installed) binary: `/var/lib/berth`. */
const defaultDataDir = () => (isCompiled() ? "/var/lib/berth" : join(dirname(dirname(import.meta.path)), ".berth"));

/** Every setting, its default, and (by name) its env var: `dataDir` ← BERTH_DATA_DIR. */
const schema = z.strictObject({
  dataDir: z.string().min(1).default(defaultDataDir),
  apiListen: listen.default("127.0.0.1:7070"),
  edgeListen: listen.default("127.0.0.1:8080"),
  /** The edge's own listener for /metrics and /healthz. */
  edgeMetricsListen: listen.default("127.0.0.1:9464"),
  /** SSH straight into the terminal UI; "" (the default) listens for none. ":2222" is every address. */
  sshListen: z
    .union([z.literal(""), z.string().regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+)?:\d{1,5}$/, "expected host:port or :port such as :2222")])
    .refine((v) => v === "" || Number(v.slice(v.lastIndexOf(":") + 1)) <= 65535, "port must be at most 65535")
    .default(""),
  /** Where environments run: `docker` (this machine's engine) or `k3s` (fleet mode: apply refuses what Kubernetes would). */
  runtime: z.enum(RUNTIMES, { error: "expected docker or k3s" }).default("docker"),
  /** Caps on every image build, so a build never takes the host down. */
  buildMemory: size("512Mi or 2Gi").default("2Gi"),
  buildCpus: z.coerce.number().positive().max(256).default(() => Math.max(1, Math.floor(availableParallelism() / 2))),
  buildTimeout: z.string().regex(/^[1-9][0-9]*(s|m|h)$/, "expected a duration such as 15m").default("15m"),
  buildConcurrency: z.coerce.number().int().min(1).max(16).default(1),
  /** Images kept per block after a build, besides those releases still use. */
  imagesKept: z.coerce.number().int().min(1).max(100).default(5),
  /** Base image per preset, `{version}` standing for the block's version (env: JSON object). */
  presetImages: z.partialRecord(z.enum([...PRESETS, "goRuntime"]), z.string().min(1)).default({}),
  /**
   * Mirrors of the catalog's official images by template, each a whole image reference
   * (env: JSON object, or one BERTH_CATALOG_IMAGE_<TEMPLATE> per template).
   */
  catalogImages: z.partialRecord(z.enum(TEMPLATE_NAMES), z.string().regex(/^[a-z0-9][a-z0-9._\-/:@]*$/, "expected an image reference such as registry.local/postgres:16")).default({}),
  domain: z
    .string()
    .regex(/^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*$/, "expected a domain name such as localhost or example.com")
    .default("localhost"),
  /** Log kept per build; past it one notice line, and the build goes on. */
  buildLogLimit: size("1Mi or 10Mi").default("10Mi"),
  /** Proxies in front of the edge whose X-Forwarded-For, X-Real-IP and X-Request-Id are kept. */
  edgeTrustedProxies: cidrList.default([]),
  /** Memory limit of every block whose berth.yaml sets no `resources.memory`. */
  blockMemory: size("512Mi or 2Gi").default("512Mi"),
  /** Most processes and threads a block's container may run, unless it sets `resources.pids`. */
  blockPids: z.coerce.number().int().min(16).max(1_000_000).default(512),
  /** After a rollout, how long a crash of a new replica still fails the release ("0s": not watched). */
  rolloutWatch: z.string().regex(/^[0-9]+(s|m)$/, "expected a duration such as 5s (0s turns the watch off)").default("5s"),
  /** Wait between switching traffic to new replicas and stopping the old ones. */
  deployDrain: duration.default("2s"),
  /** How long a replica without a port must stay up to count as started. */
  deploySettle: duration.default("2s"),
  /** Wait after a route change for the edge (which polls the state DB) to follow it. */
  edgeSync: duration.default("500ms"),
  /** Blocks of one start tier rolled out at once; rollouts mostly wait (health checks, drains), so a few per core. */
  rolloutConcurrency: z.coerce.number().int().min(1).max(64).default(() => Math.min(64, 4 * availableParallelism())),
  /** Job runs at once on this machine (manual and scheduled); more wait in a queue. */
  jobConcurrency: z.coerce.number().int().min(1).max(64).default(2),
  /** Output kept per job run; past it one notice line, and the run goes on. */
  jobLogLimit: size("1Mi or 5Mi").default("5Mi"),
  /** Runs kept per job and environment, with their output; older ones are deleted. */
  jobRunsKept: z.coerce.number().int().min(1).max(10_000).default(100),
  /** Days the audit log keeps an entry; older ones are deleted. */
  auditDaysKept: z.coerce.number().int().min(1).max(36_500).default(365),
  /** Edge processes sharing the HTTP port (SO_REUSEPORT): one per core by default, 1 for a single process. */
  edgeWorkers: z.coerce.number().int().min(1).max(64).default(() => Math.min(64, availableParallelism())),
  /** The edge's HTTPS listener (production: 0.0.0.0:443, with edgeListen on 0.0.0.0:80). */
  edgeHttpsListen: listen.default("127.0.0.1:8443"),
  /** The ACME directory certificates are ordered from (Let's Encrypt production by default). */
  acmeDirectory: z.url({ protocol: /^https?$/, error: "expected the URL of an ACME directory" }).default("https://acme-v02.api.letsencrypt.org/directory"),
  /** Contact address given to the CA for expiry notices; none by default. */
  acmeEmail: z.email({ error: "expected an e-mail address" }).optional(),
  /** A PEM file of an extra CA to trust for the ACME directory's HTTPS (Pebble, a private CA). */
  acmeCaFile: z.string().min(1).optional(),
  /** The wait after a first failed order; each further failure doubles it, up to a day. */
  acmeRetry: duration.default("1m"),
  /** A host the edge routes to the API and console (e.g. berth.example.com), with a certificate. */
  consoleHost: z
    .string()
    .regex(/^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$/, "expected a host name such as berth.example.com")
    .optional(),
  /** How often environments with `autoDeploy: poll` ask their git remote for new commits. */
  autoDeployPoll: z.string().regex(/^[1-9][0-9]*(s|m|h)$/, "expected a duration such as 30s or 5m").default("1m"),
  /** The URL git hosts and people reach this server's API and console at (behind a reverse proxy); webhook URLs and notification links start with it. */
  publicUrl: z.url({ protocol: /^https?$/, error: "expected an http(s) URL such as https://berth.example.com" }).optional(),
  /** Tries per notification message, the first wait between them (doubled each time), and each try's bound. */
  notifyAttempts: z.coerce.number().int().min(1).max(20).default(5),
  notifyRetryDelay: duration.default("5s"),
  notifyTimeout: duration.default("10s"),
  /** How often each replica, the edge and the machine are sampled for metrics ("0s": not sampled). */
  metricsInterval: z.string().regex(/^[0-9]+s$/, "expected whole seconds such as 10s (0s turns sampling off)").default("10s"),
  /** Disk use (percent of the data dir's or Docker's file system) from which `berth status` warns. */
  diskWarnPercent: z.coerce.number().int().min(1).max(100).default(85),
  /** Cap of the stored output of one block's containers; its oldest lines go first. */
  logBlockMax: size("20Mi or 1Gi").default("20Mi"),
  /** Cap of all blocks' stored output together; the oldest segment anywhere goes first. */
  logTotalMax: size("1Gi or 512Mi").default("1Gi"),
  /** The edge's access log, one JSON line per request (on or off). */
  edgeAccessLog: z.enum(["on", "off"]).default("off"),
  /** Size at which the access log is rotated; four files are kept. */
  edgeAccessLogSize: size("50Mi").default("50Mi"),
  /** Who runs `berth edge`: `serve` starts or adopts it; `external` means a supervisor (the berth-edge systemd unit) does. */
  edgeProcess: z.enum(["serve", "external"]).default("serve"),
  /** When `berth serve` writes a backup (5-field cron, server time), or "off". */
  backupSchedule: z.union([z.literal("off"), cronPattern]).default("0 3 * * *"),
  /** Scheduled backups kept in backupDir; older ones are removed after each new one. */
  backupKeep: z.coerce.number().int().min(1).max(1000).default(7),
  /** Where backups go; empty: `<dataDir>/backups`. */
  backupDir: z.string().default(""),
  /** A file whose first line encrypts scheduled backups; empty: not encrypted. */
  backupPassphraseFile: z.string().default(""),
  /**
   * The sha256 `fleet init` and `fleet join` require of the bundle's k3s binary, install.sh and
   * air-gap images instead of the release's pins: for air-gapped mirrors of a verified copy, and tests.
   */
  fleetK3sSha256: sha256.optional(),
  fleetK3sScriptSha256: sha256.optional(),
  fleetK3sImagesSha256: sha256.optional(),
  /**
   * Where fleet nodes pull a release's images: `registry` (pushed to the fleet's registry, pinned
   * by digest) or `reference` (each image's own reference: only images every node can pull).
   */
  fleetImages: z.enum(["registry", "reference"], { error: "expected registry or reference" }).default("registry"),
  /** The port of the fleet's registry, on the server node at the address `fleet init` was given. */
  fleetRegistryPort: z.coerce.number().int().min(1).max(65535).default(5000),
});

export type Config = Readonly<z.output<typeof schema>>;

/** Every setting's name, for the docs check; its env var is `settingEnvVar(name)`. */
export const SETTING_NAMES = Object.keys(schema.shape) as (keyof Config)[];

/** How a CLI or TUI reaches an API: flags/env, then `berth login`, then the local server's token. */
export interface ClientSettings {
  url?: string;
  token?: string;
  credentialsFile: string;
  /** Where `berth serve` records its URL and token file for CLIs of the same user. */
  localServerFile: string;
  /** NO_COLOR (https://no-color.org) or TERM=dumb: never colour. */
  noColor: boolean;
}

export const settingEnvVar = (key: string) => `BERTH_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;

export class ConfigError extends Error {}

/** Defaults, then the optional file, then BERTH_* env; validated once and frozen. */
export function loadConfig(options: { file?: string; env?: Record<string, string | undefined>; publicAddress?: () => string | null } = {}): Config {
  const env = options.env ?? process.env;
  const raw: Record<string, unknown> = {};
  const origin: Record<string, string> = {};
  if (options.file) {
    if (!existsSync(options.file)) throw new ConfigError(`config: ${options.file}: no such file`);
    let parsed: unknown;
    try {
      parsed = parseYaml(readFileSync(options.file, "utf8"));
    } catch (error) {
      throw new ConfigError(`config: ${options.file}: ${(error as Error).message.split("\n")[0]}`);
    }
    if (parsed !== null && (typeof parsed !== "object" || Array.isArray(parsed))) {
      throw new ConfigError(`config: ${options.file}: expected a mapping of settings`);
    }
    for (const [key, value] of Object.entries(parsed ?? {})) {
      raw[key] = value;
      origin[key] = `${options.file}: ${key}`;
    }
  }
  for (const key of Object.keys(schema.shape)) {
    const value = env[settingEnvVar(key)];
    if (value !== undefined && value !== "") {
      raw[key] = value.startsWith("{") ? parseJsonSetting(settingEnvVar(key), value) : value;
      origin[key] = settingEnvVar(key);
    }
  }
  // One variable per template as well: BERTH_CATALOG_IMAGE_POSTGRES=registry.local/postgres:16.
  for (const name of TEMPLATE_NAMES) {
    const variable = `BERTH_CATALOG_IMAGE_${name.toUpperCase()}`;
    const value = env[variable];
    if (value === undefined || value === "") continue;
    raw.catalogImages = { ...(raw.catalogImages as Record<string, string> | undefined), [name]: value };
    origin.catalogImages = variable;
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const key = issue.code === "unrecognized_keys" ? issue.keys[0]! : String(issue.path[0]);
    const where = origin[key] ?? key;
    const message = issue.code === "unrecognized_keys" ? `unknown setting (known: ${Object.keys(schema.shape).join(", ")})` : issue.message;
    throw new ConfigError(`config: ${where}: ${message}`);
  }
  let domain = result.data.domain;
  if (domain === "auto") {
    // `auto`: <public-ip>.sslip.io, a name every resolver maps back to the address, so HTTPS works with no DNS set-up.
    const address = (options.publicAddress ?? publicIPv4)();
    if (!address) throw new ConfigError(`config: ${origin.domain ?? "domain"}: auto: this machine has no public IPv4 address on its interfaces (behind NAT?); set the domain to <public-ip>.sslip.io yourself`);
    domain = `${address}.sslip.io`;
  }
  return Object.freeze({ ...result.data, domain, dataDir: resolve(result.data.dataDir) });
}

function parseJsonSetting(name: string, value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    throw new ConfigError(`config: ${name}: expected a JSON object`);
  }
}

const UNITS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, Mi: 1024 ** 2, Gi: 1024 ** 3 } as const;

/** "15m" → ms, "500ms" → ms, "2Gi" → bytes. */
export function parseQuantity(value: string): number {
  const match = /^(\d+)(ms|s|m|h|Mi|Gi)$/.exec(value);
  if (!match) throw new Error(`not a quantity: ${value}`);
  return Number(match[1]) * UNITS[match[2] as keyof typeof UNITS];
}

export function loadClientSettings(env: Record<string, string | undefined> = process.env): ClientSettings {
  const configHome = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), ".config");
  return {
    url: env.BERTH_URL || undefined,
    token: env.BERTH_TOKEN || undefined,
    credentialsFile: join(configHome, "berth", "credentials.json"),
    localServerFile: join(configHome, "berth", "local-server.json"),
    noColor: Boolean(env.NO_COLOR) || env.TERM === "dumb",
  };
}

/** A listen setting ("127.0.0.1:7070", "[::1]:8080") as Bun.serve takes it. */
export function listenAddress(listen: string): { hostname: string; port: number } {
  const i = listen.lastIndexOf(":");
  return { hostname: listen.slice(0, i).replace(/^\[|\]$/g, ""), port: Number(listen.slice(i + 1)) };
}

/** The URL this machine reaches a listener at, even one that listens on every address. */
export function localUrl(listen: string): string {
  const i = listen.lastIndexOf(":");
  const host = listen.slice(0, i);
  const reach = host === "0.0.0.0" ? "127.0.0.1" : host === "[::]" || host === "::" ? "[::1]" : host;
  return `http://${reach}:${listen.slice(i + 1)}`;
}

/** The host environment, for adapters that pass parts of it on to the programs they run (git). */
export const hostEnv = (): Record<string, string | undefined> => ({ ...process.env });

/** Paths of the files Berth keeps in its data dir. */
export const dataFiles = (config: Config) => ({
  db: join(config.dataDir, "berth.db"),
  secretKey: join(config.dataDir, "secret.key"),
  adminToken: join(config.dataDir, "admin.token"),
  buildLogs: join(config.dataDir, "logs", "builds"),
  deployLogs: join(config.dataDir, "logs", "deploys"),
  jobLogs: join(config.dataDir, "logs", "jobs"),
  blockLogs: join(config.dataDir, "logs", "blocks"),
  accessLogs: join(config.dataDir, "logs", "access"),
  gitCache: join(config.dataDir, "cache", "git"),
  knownHosts: join(config.dataDir, "known_hosts"),
  sshHostKey: join(config.dataDir, "ssh_host_ed25519_key"),
  backups: config.backupDir ? resolve(config.backupDir) : join(config.dataDir, "backups"),
});
