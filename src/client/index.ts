import { hc, type ClientResponse } from "hono/client";
import type { Api } from "../api/index.ts";
import type { Problem } from "../api/problem.ts";
import type { FieldIssue } from "../core/errors.ts";

/** A problem+json answer turned back into an error with its stable code. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: FieldIssue[] = [],
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export interface ClientOptions {
  url: string;
  token?: string;
  /** In-process calls (tests, the TUI on the box): pass `app.request`. */
  fetch?: typeof fetch;
}

export type Client = ReturnType<typeof hc<Api>>;

/** The one typed client of the API, shared by the CLI, the TUI, the web console and the tests. */
export function createClient(options: ClientOptions): Client {
  return hc<Api>(`${options.url.replace(/\/$/, "")}/api`, {
    headers: options.token ? { Authorization: `Bearer ${options.token}` } : {},
    fetch: options.fetch,
  });
}

/** The body of a successful answer, or an ApiError. */
export async function unwrap<T>(response: Promise<ClientResponse<T>> | ClientResponse<T>): Promise<T> {
  const res = await response;
  if (res.ok) return (res.status === 204 ? undefined : await res.json()) as T;
  const text = await res.text();
  try {
    const problem = JSON.parse(text) as Problem;
    throw new ApiError(res.status, problem.code, problem.detail, problem.issues);
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw new ApiError(res.status, "internal", `HTTP ${res.status}: ${text.slice(0, 200)}`);
  }
}
