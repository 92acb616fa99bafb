import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/**
 * Whether `received` (hex, any case, optionally after `prefix`) is the HMAC-SHA256 of `body`
 * under `secret`. The comparison takes the same time wherever the first difference is.
 */
export function hmacMatches(received: string | undefined, secret: string, body: Uint8Array, prefix = ""): boolean {
  if (received === undefined || !received.startsWith(prefix)) return false;
  const hex = received.slice(prefix.length).trim();
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) return false;
  return timingSafeEqual(Buffer.from(hex, "hex"), createHmac("sha256", secret).update(body).digest());
}

/** A shared token sent as is (GitLab): compared as digests, so neither length nor content leaks through timing. */
export function tokenMatches(received: string | undefined, secret: string): boolean {
  if (received === undefined) return false;
  const digest = (text: string) => createHash("sha256").update(text).digest();
  return timingSafeEqual(digest(received), digest(secret));
}
