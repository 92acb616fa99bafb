import { isObject, jsonObject } from "./json.ts";
import { ENV_NAME } from "../names.ts";

/** What Berth uses of an app.json (Heroku's manifest, as Dokku reads it too). */
export interface AppManifest {
  name?: string;
  predeploy?: string;
  postdeploy?: string;
  /** Heroku runs `scripts.postdeploy` once when a review app is made. */
  herokuPostdeploy?: string;
  cron: { command: string; schedule: string }[];
  /** Health check path per process type. */
  health: Record<string, string>;
  /** Replicas per process type. */
  formation: Record<string, number>;
  env: { name: string; value?: string; required: boolean; secret: boolean; description?: string }[];
  /** Parts that were present but not understood, one line each. */
  ignored: string[];
}

const str = (v: unknown) => (typeof v === "string" && v.trim() !== "" ? v : undefined);

function envEntries(env: unknown, ignored: string[]): AppManifest["env"] {
  if (!isObject(env)) return [];
  return Object.entries(env).flatMap(([name, spec]): AppManifest["env"] => {
    if (!ENV_NAME.test(name)) {
      ignored.push(`env.${name}: not a variable name`);
      return [];
    }
    if (typeof spec === "string") return [{ name, value: spec, required: false, secret: false }];
    if (!isObject(spec)) return [];
    const value = spec.value === undefined || spec.value === null ? undefined : String(spec.value);
    // Heroku's schema: `required` defaults to true.
    const required = spec.required !== false;
    return [{ name, value, required, secret: spec.generator === "secret", description: str(spec.description) }];
  });
}

function healthPaths(checks: unknown, ignored: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isObject(checks)) return out;
  for (const [type, list] of Object.entries(checks)) {
    const path = Array.isArray(list) ? list.map((c) => (isObject(c) ? str(c.path) : undefined)).find((p) => p?.startsWith("/")) : undefined;
    if (path && !/\s/.test(path)) out[type] = path;
    else ignored.push(`healthchecks.${type}: no HTTP path check (only \`path\` checks are used)`);
  }
  return out;
}

/** The app.json's parts Berth maps to blocks; undefined when the text is not a JSON object. */
export function parseAppJson(text: string): AppManifest | undefined {
  const doc = jsonObject(text);
  if (!doc) return undefined;
  const ignored: string[] = [];
  const scripts = isObject(doc.scripts) ? doc.scripts : {};
  const dokku = isObject(scripts.dokku) ? scripts.dokku : {};
  const cron = Array.isArray(doc.cron)
    ? doc.cron.flatMap((entry, i) => {
        const command = isObject(entry) ? str(entry.command) : undefined;
        const schedule = isObject(entry) ? str(entry.schedule) : undefined;
        if (command && schedule) return [{ command, schedule }];
        ignored.push(`cron[${i}]: needs a command and a schedule`);
        return [];
      })
    : [];
  const formation: Record<string, number> = {};
  if (isObject(doc.formation)) {
    for (const [type, spec] of Object.entries(doc.formation)) {
      const quantity = isObject(spec) ? spec.quantity : undefined;
      if (typeof quantity === "number" && Number.isInteger(quantity) && quantity >= 0 && quantity <= 100) formation[type] = quantity;
    }
  }
  for (const key of ["buildpacks", "addons", "stack", "image"]) {
    if (doc[key] !== undefined) ignored.push(`${key}: not used by Berth (builds come from the Dockerfile or a preset; services are blocks)`);
  }
  return {
    name: str(doc.name),
    predeploy: str(dokku.predeploy),
    postdeploy: str(dokku.postdeploy),
    herokuPostdeploy: str(scripts.postdeploy),
    cron,
    health: healthPaths(doc.healthchecks, ignored),
    formation,
    env: envEntries(doc.env, ignored),
    ignored,
  };
}

const MACROS: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

/** Dokku's schedules are 5-field patterns or the usual @macros; Berth takes 5 fields only. */
export function cronSchedule(schedule: string): string {
  return MACROS[schedule.trim().toLowerCase()] ?? schedule.trim();
}
