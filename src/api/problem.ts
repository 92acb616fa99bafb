import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { BerthError, type ErrorCode, type FieldIssue } from "../core/errors.ts";

/** The one place an error code becomes an HTTP status. */
const STATUS: Record<ErrorCode, ContentfulStatusCode> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unavailable: 503,
  internal: 500,
  rate_limited: 429,
};

/** The error code an HTTP status stands for (the nearest one for statuses Berth does not make). */
export const codeOfStatus = (status: number): ErrorCode => (Object.keys(STATUS) as ErrorCode[]).find((k) => STATUS[k] === status) ?? (status >= 500 ? "internal" : "invalid");

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail: string;
  issues?: FieldIssue[];
}

export function problem(c: Context, code: ErrorCode, detail: string, issues: FieldIssue[] = []) {
  const status = STATUS[code];
  const body: Problem = {
    type: `urn:berth:problem:${code}`,
    title: code.replace("_", " "),
    status,
    code,
    detail,
    ...(issues.length > 0 && { issues }),
  };
  if (status === 401) c.header("WWW-Authenticate", 'Bearer realm="berth"');
  return c.body(JSON.stringify(body), status, { "Content-Type": "application/problem+json" });
}

/** `app.onError`: typed errors keep their code; anything else is logged and hidden. */
export function onError(error: Error, c: Context) {
  if (error instanceof BerthError) return problem(c, error.code, error.message, error.issues);
  // Hono's own refusals (malformed JSON and the like) keep their status as the nearest code.
  if (error instanceof HTTPException) {
    const code = (Object.keys(STATUS) as ErrorCode[]).find((k) => STATUS[k] === error.status) ?? "invalid";
    return problem(c, code, error.message);
  }
  console.error(`api: ${c.req.method} ${c.req.path}:`, error);
  return problem(c, "internal", "internal error; the server log has the details");
}
