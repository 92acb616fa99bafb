import type { Context } from "hono";

type PeerAware = { requestIP?: (req: Request) => { address: string } | null };

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

/**
 * The client's address: the direct peer, except for a loopback peer that sends X-Real-IP: that
 * is the edge carrying the console host (docs/tls.md), which sets the header to the client it
 * saw; without it, everyone reaching the API through the edge would share one address.
 */
export function clientIp(c: Context): string {
  // Requests made in-process (app.request) have no socket and share one key.
  const peer = (c.env as PeerAware | undefined)?.requestIP?.(c.req.raw)?.address ?? "in-process";
  const forwarded = c.req.header("x-real-ip");
  return forwarded && LOOPBACK.test(peer) ? forwarded : peer;
}

/** Whether the request came over HTTPS: directly, or to the edge in front on loopback (X-Forwarded-Proto). */
export function cameOverHttps(c: Context): boolean {
  const peer = (c.env as PeerAware | undefined)?.requestIP?.(c.req.raw)?.address ?? "in-process";
  const forwarded = c.req.header("x-forwarded-proto");
  if (forwarded && LOOPBACK.test(peer)) return forwarded.split(",")[0]!.trim() === "https";
  return new URL(c.req.url).protocol === "https:";
}

/** The origin a browser would send for a page of this server, as this request reached it. */
export function ownOrigin(c: Context): string {
  const host = c.req.header("host") ?? new URL(c.req.url).host;
  return `${cameOverHttps(c) ? "https" : "http"}://${host}`;
}
