import { sql } from "drizzle-orm";
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import type { BlockOverride, BlockSpec } from "../../core/project-file/schema.ts";
import type { GlobalRole, Role } from "../../core/roles.ts";
import type { NotifyFormat, NotifyKind } from "../../core/notify/event.ts";
import type { DeliveryStatus } from "../../ports/notification-store.ts";

const createdAt = () => text("created_at").notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`);

export const users = sqliteTable("users", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  name: text("name").notNull().unique(),
  /** "none": the user sees only the projects a grant names. */
  role: text("role").$type<GlobalRole>().notNull(),
  /** argon2id (PHC string); null until the invitation is taken up. */
  passwordHash: text("password_hash"),
  createdAt: createdAt(),
});

/** SSH public keys per user (for the terminal UI over SSH); the OpenSSH SHA256 fingerprint names each. */
export const userKeys = sqliteTable("user_keys", {
  fingerprint: text("fingerprint").primaryKey(),
  userId: integer("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
  algo: text("algo").notNull(),
  /** The key's wire blob, base64, as in authorized_keys. */
  blob: text("blob").notNull(),
  comment: text("comment").notNull().default(""),
  createdAt: createdAt(),
});

/** A user's role on one project, on top of their global role. */
export const projectGrants = sqliteTable(
  "project_grants",
  {
    userId: integer("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    projectId: integer("project_id").notNull().references(() => projects.id, { onDelete: "cascade" }),
    role: text("role").$type<Role>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.projectId] })],
);

/** Console sessions: only the SHA-256 of the cookie value is kept. */
export const sessions = sqliteTable("sessions", {
  hash: text("hash").primaryKey(),
  userId: integer("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
  ip: text("ip"),
  createdAt: createdAt(),
  lastSeenAt: text("last_seen_at").notNull(),
});

/** One-time links that let a new user set their password; only the hash of the link's token is kept. */
export const invitations = sqliteTable("invitations", {
  hash: text("hash").primaryKey(),
  userId: integer("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
  expiresAt: text("expires_at").notNull(),
  createdAt: createdAt(),
});

/** Every change made through the API, a webhook or the scheduler; names are copied so entries outlive users and projects. */
export const auditLog = sqliteTable(
  "audit_log",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    at: text("at").notNull(),
    user: text("user"),
    via: text("via").notNull(),
    ip: text("ip"),
    method: text("method").notNull(),
    route: text("route").notNull(),
    project: text("project"),
    environment: text("environment"),
    action: text("action").notNull(),
    /** Variable names and the like, never values. */
    detail: text("detail"),
    outcome: text("outcome").notNull(),
    status: integer("status").notNull(),
  },
  (t) => [index("audit_log_at").on(t.at), index("audit_log_project_at").on(t.project, t.at)],
);

export const apiTokens = sqliteTable("api_tokens", {
  id: text("id").primaryKey(),
  userId: integer("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
  name: text("name").notNull(),
  role: text("role").$type<Role>().notNull(),
  hash: text("hash").notNull().unique(),
  /** The one project the token may act on; null: every project its user may. */
  project: text("project"),
  /** Past this time the token answers 401; null: no end. */
  expiresAt: text("expires_at"),
  createdAt: createdAt(),
  lastUsedAt: text("last_used_at"),
});

export const projects = sqliteTable("projects", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  name: text("name").notNull().unique(),
  createdAt: createdAt(),
  updatedAt: text("updated_at").notNull(),
});

export const environments = sqliteTable(
  "environments",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    projectId: integer("project_id").notNull().references(() => projects.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    ref: text("ref"),
    /** 0: off, 1: on push (webhooks), 2: poll the remote (see project-store.ts). */
    autoDeploy: integer("auto_deploy"),
    /** Set while the environment is stopped (`berth env stop`): its containers are gone, its volumes kept. */
    stoppedAt: text("stopped_at"),
    position: integer("position").notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("environments_project_name").on(t.projectId, t.name)],
);

/** A block's keys as written in berth.yaml (validated by core), so export gives back what was applied. */
export const blocks = sqliteTable(
  "blocks",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    projectId: integer("project_id").notNull().references(() => projects.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    kind: text("kind").$type<BlockSpec["kind"]>().notNull(),
    spec: text("spec", { mode: "json" }).$type<BlockSpec>().notNull(),
    position: integer("position").notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("blocks_project_name").on(t.projectId, t.name)],
);

export const blockOverrides = sqliteTable(
  "block_overrides",
  {
    environmentId: integer("environment_id").notNull().references(() => environments.id, { onDelete: "cascade" }),
    blockId: integer("block_id").notNull().references(() => blocks.id, { onDelete: "cascade" }),
    spec: text("spec", { mode: "json" }).$type<BlockOverride>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.environmentId, t.blockId] })],
);

/** Variables set per environment and block; `value` is AES-256-GCM sealed when `secret`. */
export const variables = sqliteTable(
  "variables",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    environmentId: integer("environment_id").notNull().references(() => environments.id, { onDelete: "cascade" }),
    blockId: integer("block_id").notNull().references(() => blocks.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    value: text("value").notNull(),
    secret: integer("secret", { mode: "boolean" }).notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [uniqueIndex("variables_env_block_name").on(t.environmentId, t.blockId, t.name)],
);

/** Per-block git credentials: a deploy key Berth generated and/or an HTTPS token, both sealed. */
export const blockCredentials = sqliteTable("block_credentials", {
  blockId: integer("block_id").primaryKey().references(() => blocks.id, { onDelete: "cascade" }),
  sshPrivateKey: text("ssh_private_key"),
  sshPublicKey: text("ssh_public_key"),
  httpsToken: text("https_token"),
  updatedAt: text("updated_at").notNull(),
});

export const builds = sqliteTable("builds", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  projectId: integer("project_id").notNull().references(() => projects.id, { onDelete: "cascade" }),
  block: text("block").notNull(),
  environment: text("environment").notNull(),
  status: text("status").$type<"queued" | "running" | "succeeded" | "failed" | "cancelled">().notNull(),
  ref: text("ref"),
  commit: text("commit"),
  image: text("image"),
  imageId: text("image_id"),
  cacheHit: integer("cache_hit", { mode: "boolean" }).notNull().default(false),
  reason: text("reason"),
  createdAt: createdAt(),
  startedAt: text("started_at"),
  finishedAt: text("finished_at"),
});

/** An immutable, numbered snapshot of an environment: each block's image and resolved config. */
export const releases = sqliteTable(
  "releases",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    environmentId: integer("environment_id").notNull().references(() => environments.id, { onDelete: "cascade" }),
    number: integer("number").notNull(),
    /** The blocks as deployed: `ReleaseBlock[]` (see ports/release-store.ts). */
    blocks: text("blocks", { mode: "json" }).notNull(),
    status: text("status").$type<"building" | "deploying" | "deployed" | "failed">().notNull(),
    reason: text("reason"),
    /** Problems that did not fail the release, e.g. a post-deploy job that failed: `string[]`. */
    warnings: text("warnings", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
    /** Why it exists: "deploy", "promote from dev#3", "rollback to #2", "push abc1234", "restart", "scale", "start". */
    source: text("source").notNull().default("deploy"),
    /** Who started it: a token's name, or "webhook" and the like. */
    actor: text("actor"),
    createdAt: createdAt(),
    finishedAt: text("finished_at"),
  },
  (t) => [uniqueIndex("releases_env_number").on(t.environmentId, t.number)],
);

/**
 * What the edge serves, written by the control plane once replicas are healthy and read
 * (read-only) by `berth edge`. `pathPrefix` is "" for a whole host or "/block" on a gateway host.
 */
export const edgeRoutes = sqliteTable(
  "edge_routes",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    host: text("host").notNull(),
    pathPrefix: text("path_prefix").notNull(),
    project: text("project").notNull(),
    environment: text("environment").notNull(),
    block: text("block").notNull(),
    /** "none" | "basic" (password-protected website) | "gateway" (bearer token from the environment's gateway). */
    auth: text("auth").$type<"none" | "basic" | "gateway">().notNull(),
    /** `{ host, port }[]` on loopback. */
    upstreams: text("upstreams", { mode: "json" }).$type<{ host: string; port: number }[]>().notNull(),
    /** "redirect": plain HTTP gets 308 to HTTPS once the host has a certificate; "optional": both are served. */
    https: text("https").$type<"redirect" | "optional">().notNull().default("redirect"),
    /** Send Strict-Transport-Security on HTTPS answers (opt-in per block). */
    hsts: integer("hsts", { mode: "boolean" }).notNull().default(false),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [uniqueIndex("edge_routes_host_prefix").on(t.host, t.pathPrefix)],
);

/** HTTP basic-auth users of a password-protected website, per environment; hashes only. */
export const basicAuthUsers = sqliteTable(
  "basic_auth_users",
  {
    project: text("project").notNull(),
    environment: text("environment").notNull(),
    block: text("block").notNull(),
    username: text("username").notNull(),
    passwordHash: text("password_hash").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.project, t.environment, t.block, t.username] })],
);

/** API gateway clients per environment; the secret is shown once and stored hashed. */
export const gatewayClients = sqliteTable("gateway_clients", {
  clientId: text("client_id").primaryKey(),
  project: text("project").notNull(),
  environment: text("environment").notNull(),
  name: text("name").notNull(),
  secretHash: text("secret_hash").notNull(),
  createdAt: createdAt(),
});

/** One run of a job block: queued, running, then how it ended. Output lives in the job log store. */
export const jobRuns = sqliteTable(
  "job_runs",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    project: text("project").notNull(),
    environment: text("environment").notNull(),
    job: text("job").notNull(),
    trigger: text("trigger").$type<"manual" | "schedule" | "pre-deploy" | "post-deploy">().notNull(),
    /** The release whose image the run used. */
    release: integer("release"),
    status: text("status").$type<"queued" | "running" | "succeeded" | "failed" | "timed-out" | "skipped" | "cancelled">().notNull(),
    exitCode: integer("exit_code"),
    reason: text("reason"),
    /** For schedule runs: the scheduled time it fired for. */
    scheduledFor: text("scheduled_for"),
    createdAt: createdAt(),
    startedAt: text("started_at"),
    finishedAt: text("finished_at"),
  },
  (t) => [index("job_runs_env_job").on(t.project, t.environment, t.job)],
);

/** Per-project secret that signs git host webhooks, sealed with the secret box; made on first use. */
export const webhookSecrets = sqliteTable("webhook_secrets", {
  projectId: integer("project_id").primaryKey().references(() => projects.id, { onDelete: "cascade" }),
  secret: text("secret").notNull(),
  updatedAt: text("updated_at").notNull(),
});

/** Webhook delivery ids already handled, so a redelivery starts nothing; pruned by age and count. */
export const webhookDeliveries = sqliteTable(
  "webhook_deliveries",
  {
    projectId: integer("project_id").notNull().references(() => projects.id, { onDelete: "cascade" }),
    deliveryId: text("delivery_id").notNull(),
    receivedAt: text("received_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.deliveryId] })],
);

/** Receivers of a project's events; `url` is sealed (such URLs carry their token), the rest is the last delivery. */
export const notifications = sqliteTable("notifications", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  projectId: integer("project_id").notNull().references(() => projects.id, { onDelete: "cascade" }),
  url: text("url").notNull(),
  format: text("format").$type<NotifyFormat>().notNull(),
  events: text("events", { mode: "json" }).$type<NotifyKind[]>().notNull(),
  createdAt: createdAt(),
  lastStatus: text("last_status").$type<DeliveryStatus>(),
  lastAt: text("last_at"),
  lastError: text("last_error"),
  lastEvent: text("last_event"),
  lastAttempts: integer("last_attempts"),
});
/**
 * Resource samples per block replica. `tier` 0 holds raw samples (one per sampling interval),
 * 1 one-minute and 2 ten-minute rollups; rates are per second, memory in bytes. Each tier is
 * pruned past its retention (see core/metrics/retention.ts), so the table stays bounded.
 */
export const metricBlocks = sqliteTable(
  "metric_blocks",
  {
    project: text("project").notNull(),
    environment: text("environment").notNull(),
    block: text("block").notNull(),
    tier: integer("tier").notNull(),
    /** Start of the interval, seconds since the epoch. */
    at: integer("at").notNull(),
    replica: integer("replica").notNull(),
    cpuPercent: real("cpu_percent").notNull(),
    memoryBytes: real("memory_bytes").notNull(),
    memoryLimitBytes: real("memory_limit_bytes").notNull(),
    netRxBps: real("net_rx_bps").notNull(),
    netTxBps: real("net_tx_bps").notNull(),
    blockReadBps: real("block_read_bps").notNull(),
    blockWriteBps: real("block_write_bps").notNull(),
    restarts: integer("restarts").notNull(),
  },
  (t) => [primaryKey({ columns: [t.project, t.environment, t.block, t.tier, t.at, t.replica] }), index("metric_blocks_tier_at").on(t.tier, t.at)],
);

/** Edge figures per block (the edge routes per block, not per replica): counts within the interval. */
export const metricRoutes = sqliteTable(
  "metric_routes",
  {
    project: text("project").notNull(),
    environment: text("environment").notNull(),
    block: text("block").notNull(),
    tier: integer("tier").notNull(),
    at: integer("at").notNull(),
    /** Seconds the counts cover (several samples in a rollup). */
    seconds: real("seconds").notNull(),
    /** Requests per status class 1xx…5xx. */
    byClass: text("by_class", { mode: "json" }).$type<number[]>().notNull(),
    bytes: real("bytes").notNull(),
    /** Requests per latency bucket (not cumulative), the edge's bucket bounds plus +Inf. */
    buckets: text("buckets", { mode: "json" }).$type<number[]>().notNull(),
    latencySum: real("latency_sum").notNull(),
  },
  (t) => [primaryKey({ columns: [t.project, t.environment, t.block, t.tier, t.at] }), index("metric_routes_tier_at").on(t.tier, t.at)],
);

/** The machine: CPU, memory, and the disks of the data dir and of Docker's root. */
export const metricHost = sqliteTable(
  "metric_host",
  {
    tier: integer("tier").notNull(),
    at: integer("at").notNull(),
    cpuPercent: real("cpu_percent").notNull(),
    memoryUsedBytes: real("memory_used_bytes").notNull(),
    memoryTotalBytes: real("memory_total_bytes").notNull(),
    dataDiskUsedBytes: real("data_disk_used_bytes").notNull(),
    dataDiskTotalBytes: real("data_disk_total_bytes").notNull(),
    dockerDiskUsedBytes: real("docker_disk_used_bytes"),
    dockerDiskTotalBytes: real("docker_disk_total_bytes"),
  },
  (t) => [primaryKey({ columns: [t.tier, t.at] })],
);

/**
 * One TLS certificate per hostname: ordered from ACME by the control plane or imported by hand,
 * served by the edge. The private key is sealed with the install's secret key.
 */
export const certificates = sqliteTable("certificates", {
  host: text("host").primaryKey(),
  source: text("source").$type<"acme" | "imported">().notNull(),
  status: text("status").$type<"pending" | "valid" | "renewing" | "failed">().notNull(),
  certPem: text("cert_pem"),
  keySealed: text("key_sealed"),
  issuer: text("issuer"),
  notBefore: text("not_before"),
  notAfter: text("not_after"),
  /** Why the last order failed, in a user's words; null after a success. */
  reason: text("reason"),
  failures: integer("failures").notNull().default(0),
  /** When the control plane orders next (first order, renewal or retry); null: nothing planned. */
  nextAttemptAt: text("next_attempt_at"),
  /** When the "expires soon and renewal keeps failing" warning was last given. */
  warnedAt: text("warned_at"),
  updatedAt: text("updated_at").notNull(),
});

/** HTTP-01 answers the edge serves under /.well-known/acme-challenge/ while an order is validated. */
export const acmeChallenges = sqliteTable("acme_challenges", {
  token: text("token").primaryKey(),
  keyAuthorization: text("key_authorization").notNull(),
  host: text("host").notNull(),
  createdAt: createdAt(),
});

/** The install's ACME account per directory URL; the account key is sealed. */
export const acmeAccounts = sqliteTable("acme_accounts", {
  directory: text("directory").primaryKey(),
  keySealed: text("key_sealed").notNull(),
  accountUrl: text("account_url"),
  email: text("email"),
  createdAt: createdAt(),
});

/** The k3s server `berth fleet init` installed on this machine (one row): its URL and sealed tokens. */
export const fleetServer = sqliteTable("fleet_server", {
  /** Always 1: an install has one server. */
  id: integer("id").primaryKey(),
  url: text("url").notNull(),
  tokenSealed: text("token_sealed").notNull(),
  agentTokenSealed: text("agent_token_sealed").notNull(),
  k3sVersion: text("k3s_version").notNull(),
  initialisedAt: text("initialised_at").notNull(),
});

/** The machines of the fleet as they were set up: the server on this machine and the agents joined over SSH. */
export const fleetNodes = sqliteTable("fleet_nodes", {
  name: text("name").primaryKey(),
  address: text("address").notNull().unique(),
  /** SHA256:… of the node's SSH host key when it joined; later connections accept that key only. */
  hostKey: text("host_key").notNull(),
  role: text("role").$type<"server" | "agent">().notNull(),
  k3sVersion: text("k3s_version").notNull(),
  joinedAt: text("joined_at").notNull(),
});
