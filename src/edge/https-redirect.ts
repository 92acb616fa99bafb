import type { CertEntry, Route } from "./route-table.ts";

/** Where ACME's HTTP-01 validation asks for its token (RFC 8555 §8.3). */
export const ACME_CHALLENGE_PREFIX = "/.well-known/acme-challenge/";

/** One year, the value HSTS preload lists ask for; no includeSubDomains: a block speaks only for its own host. */
export const HSTS_VALUE = "max-age=31536000";

/** The certificate the edge serves for `host` now, if any. */
export function usableCert(certs: ReadonlyMap<string, CertEntry>, host: string, now: number): CertEntry | null {
  const cert = certs.get(host);
  return cert && cert.notAfter > now ? cert : null;
}

/**
 * Where a plain-HTTP request goes instead, or null to serve it: only once the host has a
 * certificate (a redirect to a broken HTTPS site helps nobody), and not for a block that opted
 * out with `https: optional`. 308 keeps the method and body, unlike 301.
 */
export function httpsLocation(route: Pick<Route, "https">, cert: CertEntry | null, host: string, target: string, httpsPort: number | null): string | null {
  if (route.https === "optional" || !cert || httpsPort === null) return null;
  return `https://${host}${httpsPort === 443 ? "" : `:${httpsPort}`}${target}`;
}

/** The token of an ACME challenge path, or null for any other path. */
export function challengeToken(target: string): string | null {
  if (!target.startsWith(ACME_CHALLENGE_PREFIX)) return null;
  const token = target.slice(ACME_CHALLENGE_PREFIX.length).split("?")[0]!;
  return /^[A-Za-z0-9_-]{1,256}$/.test(token) ? token : null;
}
