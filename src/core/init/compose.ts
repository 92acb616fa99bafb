import { ENV_NAME } from "../names.ts";
import { isObject } from "./json.ts";
import { parse } from "yaml";
import { imageRef } from "../project-file/fields.ts";

/** Images Berth knows how to run as a `service`: where they listen and keep their data. */
const KNOWN: Record<string, { port: number; data: string; secrets: RegExp; hint: string }> = {
  postgres: { port: 5432, data: "/var/lib/postgresql/data", secrets: /PASSWORD/, hint: "postgres://USER:PASSWORD@NAME:5432/DB" },
  redis: { port: 6379, data: "/data", secrets: /PASSWORD/, hint: "redis://NAME:6379" },
  mysql: { port: 3306, data: "/var/lib/mysql", secrets: /PASSWORD/, hint: "mysql://USER:PASSWORD@NAME:3306/DB" },
  mariadb: { port: 3306, data: "/var/lib/mysql", secrets: /PASSWORD/, hint: "mysql://USER:PASSWORD@NAME:3306/DB" },
  mongo: { port: 27017, data: "/data/db", secrets: /PASSWORD/, hint: "mongodb://NAME:27017" },
};

export interface ComposeService {
  /** The compose service's name. */
  name: string;
  image: string;
  kind: keyof typeof KNOWN;
  port: number;
  dataPath: string;
  /** Plain settings copied from `environment`. */
  env: Record<string, string>;
  /** Settings that hold secrets: to be set with `berth vars set … --secret`, never written. */
  secrets: string[];
  connection: string;
}

export interface ComposeResult {
  services: ComposeService[];
  /** Services that build this folder (the app itself). */
  built: string[];
  /** Services with other images, left for the user. */
  unknown: { name: string; image?: string }[];
}


/** `postgres:16-alpine`, `docker.io/library/postgres` → `postgres`; anything with another owner → undefined. */
function knownKind(image: string): keyof typeof KNOWN | undefined {
  const withoutDigest = image.split("@")[0]!;
  const parts = withoutDigest.split("/");
  const last = parts.at(-1)!.split(":")[0]!;
  const owner = parts.length >= 2 ? parts.at(-2) : "library";
  const registry = parts.length === 3 ? parts[0] : "docker.io";
  if (owner !== "library" || registry !== "docker.io") return undefined;
  return last in KNOWN ? (last as keyof typeof KNOWN) : undefined;
}

function environment(value: unknown): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  if (Array.isArray(value)) {
    for (const item of value) {
      if (typeof item !== "string") continue;
      const i = item.indexOf("=");
      if (i === -1) out[item] = undefined;
      else out[item.slice(0, i)] = item.slice(i + 1);
    }
  } else if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) out[k] = v === null || v === undefined ? undefined : String(v);
  }
  return out;
}

/** The services of a compose file that Berth can run as it knows them; undefined when it is not a compose file. */
export function parseCompose(text: string): ComposeResult | undefined {
  let doc: unknown;
  try {
    doc = parse(text, { maxAliasCount: 100, uniqueKeys: true });
  } catch {
    return undefined;
  }
  if (!isObject(doc) || !isObject(doc.services)) return undefined;
  const result: ComposeResult = { services: [], built: [], unknown: [] };
  for (const [name, spec] of Object.entries(doc.services)) {
    if (!isObject(spec)) continue;
    const image = typeof spec.image === "string" ? spec.image.trim() : undefined;
    if (spec.build !== undefined) {
      result.built.push(name);
      continue;
    }
    const kind = image ? knownKind(image) : undefined;
    if (!image || !kind || !imageRef.safeParse(image).success) {
      result.unknown.push({ name, image });
      continue;
    }
    const known = KNOWN[kind]!;
    const env: Record<string, string> = {};
    const secrets: string[] = [];
    for (const [key, value] of Object.entries(environment(spec.environment))) {
      if (!ENV_NAME.test(key)) continue;
      // Interpolated values (`${DB_PASSWORD}`) come from the user's shell: they are not in the file.
      if (known.secrets.test(key) || value === undefined || value.includes("${")) secrets.push(key);
      else env[key] = value;
    }
    result.services.push({ name, image, kind, port: known.port, dataPath: known.data, env, secrets, connection: known.hint });
  }
  return result;
}
