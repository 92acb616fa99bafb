import { z } from "zod";
import { ENV_NAME } from "../names.ts";

/** A version as templates and berth.yaml write it: "16", "7.2", "10.11", a dated release. */
export const VERSION = /^[0-9][0-9A-Za-z.-]*$/;
/** `{host}`, `{port}`, `{VAR}` or `{VAR|uri}` (percent-encoded, for URLs). */
export const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)(\|uri)?\}/g;
/** What a template may export: the connection details other blocks read as `${{ block.field }}`. */
export const EXPORT_NAME = /^[a-z][a-z0-9_]*$/;

const version = z.string().regex(VERSION, "must be a version such as 16 or 7.2");
const argv = z.array(z.string().min(1)).min(1);

/**
 * One catalog entry as data. Env values and exports may name `{host}` (the block's name on the
 * environment network), `{port}` and the block's variables (`{POSTGRES_USER}`); `|uri`
 * percent-encodes a value placed inside a URL.
 */
export const templateSchema = z
  .strictObject({
    name: z.string().regex(/^[a-z][a-z0-9]*$/),
    title: z.string().min(1),
    /** The official image; `{version}` stands for the block's version. */
    image: z.string().regex(/^[a-z0-9][a-zA-Z0-9._\-/:@]*\{version\}[a-zA-Z0-9._-]*$/, "must name the image with {version}, e.g. postgres:{version}"),
    versions: z.strictObject({ default: version, supported: z.array(version).min(1) }),
    port: z.number().int().min(1).max(65535),
    /** Where the image keeps its data: a volume that outlives releases and template changes. */
    dataPath: z.string().regex(/^\/[^\s]*$/),
    /** An HTTP path new replicas must answer before they count as up; none: a TCP connect on the port. */
    health: z.string().regex(/^\/[^\s]*$/).optional(),
    /** Overrides the image's command (e.g. to pass the password as an option). */
    command: argv.optional(),
    /** The environment the image needs; the block's own `env` wins. */
    env: z.record(z.string().regex(ENV_NAME), z.string()),
    /** Variables generated at first deploy (random, URL-safe) and kept as secret variables of the block. */
    credentials: z.array(z.string().regex(ENV_NAME)),
    exports: z.record(z.string().regex(EXPORT_NAME), z.string().min(1)),
    /** Writes a dump of the data to stdout, run inside the running service; none: backups are refused. */
    dump: argv.optional(),
    /** Reads a dump from stdin back into the running service. */
    restore: argv.optional(),
    /** The credential `berth service rotate-password` renews. */
    password: z.string().regex(ENV_NAME).optional(),
    /**
     * Run inside the running service with the new password on stdin, for images that keep the
     * password in their data (set only at first start); without it, the restart with the new variable is enough.
     */
    rotate: argv.optional(),
    /** The dump's file extension before ".gz". */
    dumpFormat: z.string().regex(/^[a-z0-9.]+$/).optional(),
    /** Anything a user should know (what a dump holds, what a restore does). */
    notes: z.string().optional(),
  })
  .superRefine((t, ctx) => {
    if (!t.versions.supported.includes(t.versions.default)) ctx.addIssue({ code: "custom", path: ["versions", "default"], message: `default ${t.versions.default} is not among the supported versions` });
    const known = new Set(["host", "port", ...Object.keys(t.env), ...t.credentials]);
    const check = (text: string, path: (string | number)[]) => {
      for (const match of text.matchAll(PLACEHOLDER)) {
        if (!known.has(match[1]!)) ctx.addIssue({ code: "custom", path, message: `{${match[1]}} is neither host, port nor a variable of the template` });
      }
    };
    for (const [name, value] of Object.entries(t.env)) check(value, ["env", name]);
    for (const [name, value] of Object.entries(t.exports)) check(value, ["exports", name]);
    for (const name of t.credentials) if (name in t.env) ctx.addIssue({ code: "custom", path: ["credentials"], message: `${name} is generated: it cannot also have a fixed value in env` });
    for (const required of ["host", "port"]) if (!(required in t.exports)) ctx.addIssue({ code: "custom", path: ["exports"], message: `must export ${required}` });
    if (t.password && !t.credentials.includes(t.password)) ctx.addIssue({ code: "custom", path: ["password"], message: `${t.password} is not among the generated credentials` });
    if (t.rotate && !t.password) ctx.addIssue({ code: "custom", path: ["rotate"], message: "rotate needs the password it renews" });
    if (Boolean(t.dump) !== Boolean(t.restore)) ctx.addIssue({ code: "custom", path: ["dump"], message: "dump and restore go together" });
  });

export type Template = z.output<typeof templateSchema>;
