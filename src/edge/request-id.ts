import { randomBytes } from "node:crypto";

/**
 * Request ids for requests that came without one: a random prefix drawn once per process and a
 * counter, in the shape of a UUID so log tooling that expects one keeps working. Unique across
 * edge processes (and restarts) by the prefix, within one by the counter; no random draw per request.
 */
export function createRequestIds(): () => string {
  const hex = randomBytes(10).toString("hex");
  // Version nibble 8 ("custom", RFC 9562) and the variant bits, so it parses as a UUID.
  const prefix = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(12, 15)}-${((parseInt(hex[15]!, 16) & 0x3) | 0x8).toString(16)}${hex.slice(16, 19)}-`;
  let counter = 0;
  return () => {
    counter = counter >= 0xffffffffffff ? 0 : counter + 1;
    return prefix + counter.toString(16).padStart(12, "0");
  };
}
