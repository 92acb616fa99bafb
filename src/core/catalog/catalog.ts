import { kafka } from "./templates/kafka.ts";
import { mariadb } from "./templates/mariadb.ts";
import { minio } from "./templates/minio.ts";
import { mongodb } from "./templates/mongodb.ts";
import { mysql } from "./templates/mysql.ts";
import { postgres } from "./templates/postgres.ts";
import { rabbitmq } from "./templates/rabbitmq.ts";
import { redis } from "./templates/redis.ts";
import { PLACEHOLDER, type Template } from "./template-schema.ts";

export const TEMPLATE_NAMES = ["postgres", "mysql", "mariadb", "redis", "mongodb", "kafka", "rabbitmq", "minio"] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

const TEMPLATES: Record<TemplateName, Template> = { postgres, mysql, mariadb, redis, mongodb, kafka, rabbitmq, minio };

export const allTemplates = (): Template[] => TEMPLATE_NAMES.map((name) => TEMPLATES[name]);
/** The template of that name; none for an unknown name or a block without `template`. */
export const templateNamed = (name: string | undefined): Template | undefined => (name === undefined ? undefined : TEMPLATES[name as TemplateName]);

/** Replacement images by template name, each a whole image reference (a mirror with the same interface). */
export type CatalogImages = Partial<Record<string, string>>;

/** The image a templated block runs: the mirror when one is set (the version then only drives checks), else the official one. */
export const imageFor = (template: Template, version: string, mirrors: CatalogImages = {}): string =>
  mirrors[template.name] ?? template.image.replace("{version}", version);

/** Numbers of a version: "10.11" → [10, 11], "2024-11-07T00-52-20Z" → [2024, 11, 7, 0, 52, 20]. */
const parts = (version: string) => (version.match(/[0-9]+/g) ?? []).map(Number);

/** <0 when a is older than b, 0 when equal, >0 when newer. */
export function compareVersions(a: string, b: string): number {
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export const majorOf = (version: string) => parts(version)[0] ?? 0;

/** Fills `{name}` and `{name|uri}` from `values`; an unknown name stays as written. */
export function fill(text: string, values: Record<string, string>): string {
  return text.replace(PLACEHOLDER, (whole, name: string, uri?: string) => {
    const value = values[name];
    if (value === undefined) return whole;
    return uri ? encodeURIComponent(value) : value;
  });
}

/** The template's environment for one block: `{host}` is the block's name on the environment network. */
export function templateEnv(template: Template, block: string, port: number): Record<string, string> {
  const place = { host: block, port: String(port) };
  return Object.fromEntries(Object.entries(template.env).map(([name, value]) => [name, fill(value, place)]));
}

/** The connection details a service exports, from the variables it runs with. */
export function exportsOf(template: Template, env: Record<string, string>, block: string, port: number): Record<string, string> {
  const values = { ...env, host: block, port: String(port) };
  return Object.fromEntries(Object.entries(template.exports).map(([name, value]) => [name, fill(value, values)]));
}
