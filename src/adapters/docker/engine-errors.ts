import { BerthError } from "../../core/errors.ts";

/** dockerode puts the engine's HTTP status on `statusCode`; socket errors carry a Node `code`. */
interface EngineError {
  statusCode?: number;
  code?: string;
  json?: { message?: string } | null;
  message?: string;
}

export const engineStatus = (error: unknown): number | undefined => (error as EngineError | null)?.statusCode;

export const isNotFound = (error: unknown) => engineStatus(error) === 404;

/** The engine's own message (`{"message": …}` body) rather than dockerode's "(HTTP code …)" wrapper. */
export function engineMessage(error: unknown): string {
  const e = error as EngineError | null;
  const text = e?.json?.message ?? e?.message ?? String(error);
  return text.split("\n")[0]!.trim();
}

const UNREACHABLE = new Set(["ECONNREFUSED", "ENOENT", "EACCES", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH"]);

/** Any engine failure as a BerthError: an unreachable engine is "unavailable", the rest "internal". */
export function toBerthError(error: unknown, doing: string): BerthError {
  if (error instanceof BerthError) return error;
  const code = (error as EngineError | null)?.code;
  if (code && UNREACHABLE.has(code)) return new BerthError("unavailable", `container engine not reachable while ${doing}: ${engineMessage(error)}`);
  if (engineStatus(error) === 409) return new BerthError("conflict", `${doing}: ${engineMessage(error)}`);
  return new BerthError("internal", `${doing}: ${engineMessage(error)}`);
}
