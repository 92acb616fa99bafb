import { describe, expect, test } from "bun:test";
import { REDACTED, secretRedactor } from "./redact.ts";

describe("redacting secret values", () => {
  test("every occurrence of every secret is replaced", () => {
    const text = "invalid env: DB_PASSWORD=hunter2-long, retry with hunter2-long; key sk_live_123";
    expect(secretRedactor(["hunter2-long", "sk_live_123"])(text)).toBe(`invalid env: DB_PASSWORD=${REDACTED}, retry with ${REDACTED}; key ${REDACTED}`);
  });

  test("the JSON-escaped form an engine echoes back is replaced too", () => {
    const secret = 'pa"ss\\word\tx';
    const echoed = `error: {"Env":["TOKEN=${JSON.stringify(secret).slice(1, -1)}"]}`;
    expect(secretRedactor([secret])(echoed)).toBe(`error: {"Env":["TOKEN=${REDACTED}"]}`);
  });

  test("each long line of a multi-line secret (a PEM key) is replaced on its own", () => {
    const pem = "-----BEGIN KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END KEY-----";
    const line = "bad value near MIIEvQIBADANBgkqhkiG9w0BAQEFAASC";
    expect(secretRedactor([pem])(line)).toBe(`bad value near ${REDACTED}`);
    expect(secretRedactor([pem])(`TLS_KEY=${pem}`)).toBe(`TLS_KEY=${REDACTED}`);
  });

  test("a secret inside a longer one is not half-replaced; text without secrets is unchanged", () => {
    const redact = secretRedactor(["abc", "xxabcxx"]);
    expect(redact("a xxabcxx b abc")).toBe(`a ${REDACTED} b ${REDACTED}`);
    expect(redact("nothing to see")).toBe("nothing to see");
    expect(secretRedactor([""])("empty secrets redact nothing")).toBe("empty secrets redact nothing");
  });
});
