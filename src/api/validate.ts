import { validator } from "hono-openapi";
import type { StandardSchemaV1 } from "@standard-schema/spec";
import { invalid } from "../core/errors.ts";

type Target = "json" | "query" | "param";

/** A validator whose failures become one `invalid` problem listing every bad field. */
export const valid = <T extends StandardSchemaV1, K extends Target>(target: K, schema: T) =>
  validator(target, schema, (result) => {
    if (!result.success) {
      const issues = (result.error as readonly StandardSchemaV1.Issue[]).map((i) => ({
        path: (i.path ?? []).map((p) => (typeof p === "object" ? String(p.key) : String(p))).join(".") || target,
        message: i.message,
      }));
      throw invalid(`invalid ${target === "json" ? "request body" : target}: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`, issues);
    }
  });
