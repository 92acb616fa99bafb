import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";

const listen = z
  .string()
  .regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, "expected host:port such as 127.0.0.1:7070")
  .refine((v) => Number(v.slice(v.lastIndexOf(":") + 1)) <= 65535, "port must be at most 65535");

/** Running from a compiled binary: its modules live in Bun's embedded file system. */
export const isCompiled = () => import.meta.url.includes("$bunfs");

/** Source checkout: `<repo>/.berth`; compiled (installed) binary: `/var/lib/berth`. */
const defaultDataDir = () => (isCompiled() ? "/var/lib/berth" : join(dirname(dirname(import.meta.path)), ".berth"));

/** Every setting, its default, and (by name) its env var: `dataDir` ← BERTH_DATA_DIR. */
const schema = z.strictObject({
  dataDir: z.string().min(1).default(defaultDataDir),
  apiListen: listen.default("127.0.0.1:7070"),
  edgeListen: listen.default("127.0.0.1:8080"),
  domain: z
    .string()
    .regex(/^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*$/, "expected a domain name such as localhost or example.com")
    .default("localhost"),
});

export type Config = Readonly<z.output<typeof schema>>;

/** How a CLI or TUI reaches an API: flags/env, then `berth login`, then the local server's token. */
export interface ClientSettings {
  url?: string;
  token?: string;
  credentialsFile: string;
}

const envKey = (key: string) => `BERTH_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;

export class ConfigError extends Error {}

/** Defaults, then the optional file, then BERTH_* env; validated once and frozen. */
export function loadConfig(options: { file?: string; env?: Record<string, string | undefined> } = {}): Config {
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
    const value = env[envKey(key)];
    if (value !== undefined && value !== "") {
      raw[key] = value;
      origin[key] = envKey(key);
    }
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const key = issue.code === "unrecognized_keys" ? issue.keys[0]! : String(issue.path[0]);
    const where = origin[key] ?? key;
    const message = issue.code === "unrecognized_keys" ? `unknown setting (known: ${Object.keys(schema.shape).join(", ")})` : issue.message;
    throw new ConfigError(`config: ${where}: ${message}`);
  }
  return Object.freeze({ ...result.data, dataDir: resolve(result.data.dataDir) });
}

export function loadClientSettings(env: Record<string, string | undefined> = process.env): ClientSettings {
  const configHome = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), ".config");
  return {
    url: env.BERTH_URL || undefined,
    token: env.BERTH_TOKEN || undefined,
    credentialsFile: join(configHome, "berth", "credentials.json"),
  };
}

/** Paths of the files Berth keeps in its data dir. */
export const dataFiles = (config: Config) => ({
  db: join(config.dataDir, "berth.db"),
  secretKey: join(config.dataDir, "secret.key"),
  adminToken: join(config.dataDir, "admin.token"),
});
