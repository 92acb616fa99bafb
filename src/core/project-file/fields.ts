import { z } from "zod";
import { Cron } from "croner";
import { envName } from "../names.ts";
import { valueProblem } from "../variable-text.ts";
import { closest } from "./suggest.ts";

/**
 * A strict object whose unknown keys are reported one per line, each with the nearest known
 * key. The message lines are split back into one issue per key by `toFieldIssues`.
 */
export function strict<T extends z.ZodRawShape>(shape: T) {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (iss) => {
      if (iss.code !== "unrecognized_keys") return undefined;
      return iss.keys
        .map((key) => {
          const near = closest(key, known);
          return near ? `unknown key (did you mean "${near}"?)` : `unknown key (expected one of: ${known.join(", ")})`;
        })
        .join("\n");
    },
  });
}

const NO_CONTROL = /^[^\x00-\x1f\x7f]*$/;

/** Git URLs: https, http, ssh (URL or scp-like git@host:org/repo) and file. Never an option or a remote helper. */
export const gitUrl = z
  .string()
  .max(2048)
  .refine((url) => NO_CONTROL.test(url) && !/\s/.test(url), "must not contain spaces or control characters")
  .refine((url) => !url.startsWith("-"), "must not start with '-'")
  .refine(
    (url) => /^(https?|ssh|file):\/\/[^\s]+$/.test(url) || /^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^\s:][^\s]*$/.test(url),
    "must be an https://, http://, ssh://, file:// or user@host:path git URL",
  )
  .refine((url) => !urlCarriesCredentials(url), "must not carry credentials (user:password@ or token@): store a token with `berth block git-token PROJECT BLOCK` instead");

/**
 * A user name or token in an http(s) URL, or a password in any URL, would be stored, logged
 * and exported with the URL. ssh's `git@host` names an account, not a secret.
 */
export function urlCarriesCredentials(url: string): boolean {
  const userinfo = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)@/.exec(url);
  if (!userinfo) return false;
  return /^https?$/i.test(userinfo[1]!) || userinfo[2]!.includes(":");
}

/**
 * A branch, tag or commit: git check-ref-format's rules, narrowed to the characters real
 * branch names use, so a ref can never read as an option or as shell syntax anywhere.
 */
export const gitRef = z
  .string()
  .min(1)
  .max(255)
  .refine(
    (ref) =>
      /^[A-Za-z0-9][A-Za-z0-9._/+@-]*$/.test(ref) &&
      !ref.includes("..") &&
      !ref.includes("@{") &&
      !/[\x00-\x20\x7f~^:?*[\\]/.test(ref) &&
      !ref.endsWith(".lock") &&
      !ref.endsWith("/") &&
      !ref.endsWith(".") &&
      !ref.startsWith("/"),
    "must be a valid git branch, tag or commit name",
  );

/** A folder inside the repository: relative, no '..', never option-like. */
export const repoPath = z
  .string()
  .min(1)
  .max(1024)
  .refine((p) => NO_CONTROL.test(p), "must not contain control characters")
  .refine((p) => !p.startsWith("/") && !p.startsWith("-"), "must be a relative path inside the repository")
  .refine((p) => !p.split("/").includes(".."), "must stay inside the repository (no '..')");

export const port = z.number({ error: "expected a number from 1 to 65535" }).int("expected a number from 1 to 65535").min(1, "expected a number from 1 to 65535").max(65535, "expected a number from 1 to 65535");

/** Variables as a map of NAME to a scalar; numbers and booleans become strings, as shells see them. */
export const envMap = z.record(
  envName,
  z.union([z.string().max(65536), z.number(), z.boolean()], { error: "expected a string, number or boolean" }).transform(String)
    .superRefine((value, ctx) => {
      const problem = valueProblem(value);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    }),
);

export const imageRef = z
  .string()
  .min(1)
  .max(512)
  .regex(/^[a-z0-9][a-z0-9._\-/:@]*$/, "must be an image reference such as postgres:16 or ghcr.io/acme/api:1.2");

export const memory = z.string().regex(/^[1-9][0-9]*(Ki|Mi|Gi)$/, "expected a size such as 512Mi or 1Gi");
export const duration = z.string().regex(/^[1-9][0-9]*(s|m|h)$/, "expected a duration such as 30s, 10m or 1h");

/** Standard 5-field cron, or 6 fields with a leading seconds field, as croner reads them. */
export const cronPattern = z.string().refine((pattern) => {
  const fields = pattern.trim().split(/\s+/).length;
  if (fields !== 5 && fields !== 6) return false;
  try {
    new Cron(pattern, { paused: true, mode: "5-or-6-parts" });
    return true;
  } catch {
    return false;
  }
}, "expected a 5-field cron pattern such as \"0 3 * * *\" (or 6 fields with leading seconds)");

/** An IANA time zone such as Europe/Paris, as the host's time zone data knows it. */
export const timeZone = z.string().max(64).refine((zone) => {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return /^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(zone);
  } catch {
    return false;
  }
}, "expected an IANA time zone such as UTC or Europe/Paris");

export const hostname = z
  .string()
  .max(253)
  .regex(/^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$/, "expected a lowercase domain name such as app.example.com");

export const absolutePath = z
  .string()
  .max(1024)
  .regex(/^\/[^\x00-\x1f\x7f]*$/, "expected an absolute path inside the container")
  .refine((p) => !p.split("/").includes(".."), "must not contain '..'");

/** An enum whose error lists the choices and names the likely one. */
export const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, {
    error: (iss) => {
      const near = typeof iss.input === "string" ? closest(iss.input, values) : undefined;
      return `expected one of ${values.join(", ")}${near ? ` (did you mean "${near}"?)` : ""}`;
    },
  });
