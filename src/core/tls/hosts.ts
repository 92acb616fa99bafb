/** `localhost`, `*.localhost` and IP literals never go to a public CA: no CA can validate them. */
export function isPublicName(host: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, "");
  if (name === "localhost" || name.endsWith(".localhost")) return false;
  if (/^[0-9.]+$/.test(name) || name.includes(":") || name.startsWith("[")) return false;
  return name.includes(".");
}

/**
 * The hosts that get certificates: every routed host that a CA can validate (custom domains,
 * and the generated names when the base domain is a public one), plus the console's host.
 */
export function certificateHosts(routed: readonly string[], consoleHost: string | undefined): string[] {
  const hosts = new Set(routed.map((h) => h.toLowerCase()).filter(isPublicName));
  if (consoleHost && isPublicName(consoleHost)) hosts.add(consoleHost.toLowerCase());
  return [...hosts].sort();
}
