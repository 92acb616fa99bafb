import { z } from "zod";
import { PROCESS_TYPE } from "../builds/procfile-start.ts";
import { blockName, environmentName, projectName } from "../names.ts";
import {
  absolutePath, cronPattern, timeZone, oneOf, duration, envMap, gitRef, gitUrl, hostname, imageRef, memory, port, repoPath, strict,
} from "./fields.ts";
import { containerUser, durationSeconds } from "./container-fields.ts";
import { TEMPLATE_NAMES } from "../catalog/catalog.ts";
import { VERSION } from "../catalog/template-schema.ts";

export const BLOCK_KINDS = ["website", "microservice", "worker", "service", "job"] as const;
export const PRESETS = ["node", "bun", "python", "go", "ruby", "php", "java", "static"] as const;
export const EXPOSURES = ["gateway", "public", "internal"] as const;
export const TRIGGERS = ["pre-deploy", "post-deploy", "manual"] as const;
/** `restricted`: no-new-privileges and a reduced capability set (the default); `standard`: the engine's own defaults. */
export const PRIVILEGES = ["restricted", "standard"] as const;
/** `redirect`: plain HTTP gets 308 to HTTPS once the host has a certificate (the default); `optional`: both are served. */
export const HTTPS_MODES = ["redirect", "optional"] as const;

export type BlockKind = (typeof BLOCK_KINDS)[number];

export const gitSchema = strict({ url: gitUrl, ref: gitRef.optional(), path: repoPath.optional() });

export const buildSchema = strict({
  dockerfile: repoPath.optional(),
  args: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be a build-arg name"), z.union([z.string(), z.number(), z.boolean()]).transform(String)).optional(),
  target: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "must be a build stage name").optional(),
  preset: oneOf(PRESETS).optional(),
  version: z.union([z.string(), z.number()]).transform(String).pipe(z.string().regex(/^[0-9A-Za-z][0-9A-Za-z._-]*$/, "must be a version such as 20 or 3.12")).optional(),
  command: z.string().min(1).max(4096).optional(),
  start: z.string().min(1).max(4096).optional(),
  output: repoPath.optional(),
  /** A Procfile process type whose command starts the container (instead of `start`). */
  process: z.string().regex(PROCESS_TYPE, "must be a Procfile process type such as web").optional(),
});

const resources = strict({
  memory: memory.optional(),
  cpu: z.number({ error: "expected a number of CPUs such as 0.5" }).positive().max(64).optional(),
  pids: z.number({ error: "expected a number of processes such as 512" }).int("expected a whole number of processes").min(16, "expected at least 16 processes").max(1_000_000).optional(),
});

const security = strict({ privileges: oneOf(PRIVILEGES).optional() });

/** A templated service's scheduled dump: `keep` newest backups stay, older ones are deleted. */
const backup = strict({
  schedule: cronPattern.optional(),
  keep: z.number({ error: "expected a number of backups such as 7" }).int("expected a whole number of backups").min(1, "expected at least 1").max(1000).optional(),
});

const command = z.union([z.string().min(1).max(4096), z.array(z.string().max(4096)).min(1).max(256)], {
  error: "expected a command string or a list of arguments",
});

/** Every key a block may carry; per-environment overrides may set any of them except `kind`. */
const blockKeys = {
  git: gitSchema.optional(),
  image: imageRef.optional(),
  build: buildSchema.optional(),
  port: port.optional(),
  expose: oneOf(EXPOSURES).optional(),
  health: z.string().regex(/^\/[^\s]*$/, "expected an HTTP path starting with '/'").optional(),
  env: envMap.optional(),
  volumes: z.record(absolutePath, memory).optional(),
  command: command.optional(),
  schedule: cronPattern.optional(),
  /** The zone a job's `schedule` is read in; default UTC. */
  timezone: timeZone.optional(),
  /** How late a missed scheduled run may still start when serve comes back; default: never. */
  startingDeadline: duration.optional(),
  trigger: oneOf(TRIGGERS).optional(),
  timeout: duration.optional(),
  replicas: z.number().int().min(0).max(100).optional(),
  resources: resources.optional(),
  password: z.boolean().optional(),
  domains: z.array(hostname).max(50).optional(),
  https: oneOf(HTTPS_MODES).optional(),
  hsts: z.boolean().optional(),
  stopGracePeriod: duration.refine((d) => durationSeconds(d) <= 3600, "must be at most 1h").optional(),
  security: security.optional(),
  user: containerUser.optional(),
  /** A service from the catalog (src/core/catalog): image, port, data volume, credentials, exports. */
  template: oneOf(TEMPLATE_NAMES).optional(),
  /** The template's version; default: the template's default. */
  version: z.union([z.string(), z.number()]).transform(String).pipe(z.string().regex(VERSION, "must be a version such as 16 or 7.2")).optional(),
  backup: backup.optional(),
};

export const blockSchema = strict({ kind: oneOf(BLOCK_KINDS), ...blockKeys });
export const blockOverrideSchema = strict({ ...blockKeys, ref: gitRef.optional() });

export const environmentSchema = strict({
  ref: gitRef.optional(),
  /** `true`: deploy on each push a webhook reports; `poll`: ask the remote for new commits on a timer. */
  autoDeploy: z.union([z.boolean(), z.literal("poll")], { error: "expected true, false or poll" }).optional(),
  blocks: z.record(blockName, blockOverrideSchema).optional(),
});

export const projectFileSchema = strict({
  project: projectName,
  blocks: z.record(blockName, blockSchema),
  environments: z.record(environmentName, environmentSchema.nullable().transform((e) => e ?? {})).optional(),
});

export type BlockSpec = z.output<typeof blockSchema>;
export type BlockOverride = z.output<typeof blockOverrideSchema>;
export type EnvironmentSpec = z.output<typeof environmentSchema>;
export type BlockKey = keyof typeof blockKeys;

/** A validated project definition; `environments` is always present (default: dev). */
export interface ProjectFile {
  project: string;
  blocks: Record<string, BlockSpec>;
  environments: Record<string, EnvironmentSpec>;
}
