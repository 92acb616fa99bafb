/**
 * Typed errors with a stable `code`. Core and adapters throw these; the API maps each code
 * to an HTTP status in one place (api/problem.ts), and clients turn them back into ApiError.
 */
export type ErrorCode =
  | "invalid"
  | "not_found"
  | "conflict"
  | "unauthorized"
  | "forbidden"
  | "too_large"
  | "unavailable"
  | "internal"
  | "rate_limited";

/** One problem found in user input, with the dotted path of the field it concerns. */
export interface FieldIssue {
  path: string;
  message: string;
}

export class BerthError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly issues: FieldIssue[] = [],
  ) {
    super(message);
    this.name = "BerthError";
  }
}

export const invalid = (message: string, issues: FieldIssue[] = []) => new BerthError("invalid", message, issues);
export const notFound = (what: string) => new BerthError("not_found", `${what} not found`);
export const conflict = (message: string) => new BerthError("conflict", message);
export const forbidden = (message: string) => new BerthError("forbidden", message);
export const unauthorized = (message: string) => new BerthError("unauthorized", message);
export const rateLimited = (message: string) => new BerthError("rate_limited", message);
