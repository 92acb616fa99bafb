import { BlockList, isIP } from "node:net";
import { parseCidr } from "../lib/cidr.ts";

/** Hop-by-hop headers (RFC 9110 §7.6.1): they describe one connection, never the next one. */
const HOP_BY_HOP = ["connection", "keep-alive", "proxy-connection", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade"];
const REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,200}$/;

/** The proxies whose forwarding headers are believed, as CIDRs (`10.0.0.0/8`, `::1/128`, or a bare address). */
export interface TrustedProxies {
  trusts(address: string): boolean;
}

/** `::ffff:192.0.2.1` (an IPv4 client on a dual-stack listener) → `192.0.2.1`. */
export const plainAddress = (address: string) => (address.startsWith("::ffff:") && isIP(address.slice(7)) === 4 ? address.slice(7) : address);

export function trustedProxies(cidrs: readonly string[]): TrustedProxies {
  if (cidrs.length === 0) return { trusts: () => false };
  const list = new BlockList();
  for (const text of cidrs) {
    const cidr = parseCidr(text);
    if (!cidr) throw new Error(`not an IP address or CIDR: ${text}`);
    list.addSubnet(cidr.address, cidr.bits, cidr.family);
  }
  return {
    trusts(address) {
      const plain = plainAddress(address);
      const family = isIP(plain);
      return family !== 0 && list.check(plain, family === 4 ? "ipv4" : "ipv6");
    },
  };
}

/**
 * The client's address as the edge believes it. From an untrusted peer that is the peer itself;
 * from a trusted proxy it is the right-most `X-Forwarded-For` entry that is not a trusted proxy
 * too (nginx's `real_ip_recursive on`), else its `X-Real-IP`, else the peer.
 */
export function clientAddress(peer: string, headers: Headers, trusted: TrustedProxies): string {
  const direct = plainAddress(peer);
  if (!trusted.trusts(direct)) return direct;
  const chain = headers.get("x-forwarded-for");
  if (chain) {
    const hops = chain.split(",").map((hop) => plainAddress(hop.trim())).filter((hop) => isIP(hop) !== 0);
    for (let i = hops.length - 1; i >= 0; i--) if (!trusted.trusts(hops[i]!) || i === 0) return hops[i]!;
  }
  const real = plainAddress(headers.get("x-real-ip")?.trim() ?? "");
  return isIP(real) !== 0 ? real : direct;
}

/**
 * Rewrites the incoming headers in place (no copy on the hot path) into what the upstream sees.
 * What a client claims about itself (`X-Forwarded-*`, `X-Real-IP`, `Forwarded`, `X-Request-Id`)
 * is replaced by what the edge saw, unless the direct peer is a trusted proxy: then its
 * headers are kept and the peer is appended to `X-Forwarded-For`, as nginx's `real_ip` does.
 * The Host header stays as the client sent it, so apps build correct absolute URLs.
 */
export function forwardHeaders(headers: Headers, peer: string, client: string, host: string, trusted: TrustedProxies, scheme: "http" | "https" = "http", newRequestId: () => string = () => crypto.randomUUID()): void {
  const connection = headers.get("connection");
  // Headers the client marked as hop-by-hop go too, except Host, which the upstream must keep.
  if (connection) for (const name of connection.split(",")) if (name.trim().toLowerCase() !== "host") headers.delete(name.trim());
  for (const name of HOP_BY_HOP) headers.delete(name);
  const direct = plainAddress(peer);
  if (trusted.trusts(direct)) {
    const forwardedFor = headers.get("x-forwarded-for");
    headers.set("x-forwarded-for", forwardedFor ? `${forwardedFor}, ${direct}` : direct);
    if (!headers.has("x-real-ip")) headers.set("x-real-ip", client);
    const proto = headers.get("x-forwarded-proto");
    if (proto !== "http" && proto !== "https") headers.set("x-forwarded-proto", scheme);
    if (!headers.has("x-forwarded-host")) headers.set("x-forwarded-host", host);
    const requestId = headers.get("x-request-id");
    if (!requestId || !REQUEST_ID.test(requestId)) headers.set("x-request-id", newRequestId());
    return;
  }
  headers.set("x-forwarded-for", direct);
  headers.set("x-real-ip", direct);
  // The scheme of the listener the request came in on; the client's own claim is not trusted.
  headers.set("x-forwarded-proto", scheme);
  headers.set("x-forwarded-host", host);
  headers.delete("forwarded");
  headers.set("x-request-id", newRequestId());
}
