import type { CertRecord, CertStatus } from "../../ports/cert-store.ts";

const HOUR = 3_600_000;
/** Retries back off from the first wait (a setting) by doubling, up to a day. */
export const MAX_BACKOFF_MS = 24 * HOUR;
/** A certificate renewal keeps failing this close to expiry: warn (once a day). */
export const WARN_BEFORE_MS = 14 * 24 * HOUR;

/** Renew at two thirds of the lifetime, as Let's Encrypt and Caddy recommend for 90-day certificates. */
export function renewalTime(notBefore: string, notAfter: string): number {
  const start = Date.parse(notBefore);
  const end = Date.parse(notAfter);
  return start + ((end - start) * 2) / 3;
}

/** The wait after the n-th consecutive failure (n ≥ 1). */
export function backoffMs(failures: number, firstMs: number): number {
  return Math.min(MAX_BACKOFF_MS, firstMs * 2 ** Math.max(0, failures - 1));
}

/** Still servable: has a certificate that has not expired. */
export function servable(record: Pick<CertRecord, "certPem" | "notAfter">, now: number): boolean {
  return record.certPem !== null && record.notAfter !== null && Date.parse(record.notAfter) > now;
}

/**
 * Whether the control plane should order for this record now. Imported certificates are the
 * user's to renew. No next attempt means an order was running when serve stopped: due again
 * (orders run one at a time, so a running one is never picked twice).
 */
export function orderDue(record: CertRecord, now: number): boolean {
  if (record.source === "imported") return false;
  return record.nextAttemptAt === null || Date.parse(record.nextAttemptAt) <= now;
}

/** The status a user reads: a failed renewal of a certificate that still serves is `renewing`, not `failed`. */
export function shownStatus(record: CertRecord, now: number): CertStatus {
  if (record.status === "failed" && servable(record, now)) return "renewing";
  if (record.status === "valid" && !servable(record, now)) return record.source === "imported" ? "failed" : "pending";
  return record.status;
}

/** A host seen for the first time: ordered at once. */
export function newRecord(host: string, now: number): CertRecord {
  return { host, source: "acme", status: "pending", certPem: null, keySealed: null, issuer: null, notBefore: null, notAfter: null, reason: null, failures: 0, nextAttemptAt: new Date(now).toISOString(), warnedAt: null };
}

/** Whether renewal keeps failing close enough to expiry to tell someone, at most once a day. */
export function shouldWarn(record: CertRecord, now: number): boolean {
  if (!servable(record, now) || record.failures === 0) return false;
  if (Date.parse(record.notAfter!) - now > WARN_BEFORE_MS) return false;
  return record.warnedAt === null || now - Date.parse(record.warnedAt) >= 24 * HOUR;
}
