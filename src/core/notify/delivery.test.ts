import { describe, expect, test } from "bun:test";
import type { WebhookResult } from "../../ports/webhook-sender.ts";
import { deliver, deliveryBoundMs, judge, retryDelays, type RetryPolicy } from "./delivery.ts";

const POLICY: RetryPolicy = { attempts: 5, firstDelayMs: 5000, timeoutMs: 10_000 };
const answered = (status: number, body = "", retryAfterMs: number | null = null): WebhookResult => ({ kind: "answered", status, body, retryAfterMs });

/** Runs a delivery against scripted results with a sleep that only records its waits. */
async function run(results: WebhookResult[], policy = POLICY) {
  const waits: number[] = [];
  const seen: string[] = [];
  let sent = 0;
  const delivery = await deliver({
    send: async () => results[Math.min(sent++, results.length - 1)]!,
    policy,
    sleep: async (ms) => void waits.push(ms),
    onAttempt: (attempt, outcome, willRetry) => seen.push(`${attempt}:${outcome.ok ? "ok" : outcome.error}:${willRetry ? "retry" : "stop"}`),
  });
  return { delivery, waits, seen, sent };
}

describe("the retry schedule", () => {
  test("doubles from the first wait, one wait fewer than attempts", () => {
    expect(retryDelays(POLICY)).toEqual([5000, 10_000, 20_000, 40_000]);
    expect(retryDelays({ attempts: 1, firstDelayMs: 5000 })).toEqual([]);
  });

  test("the defaults give up within about two minutes", () => {
    expect(deliveryBoundMs(POLICY)).toBe(125_000);
  });
});

describe("judging an answer", () => {
  test("2xx is delivered; no answer, no connection, 408, 429 and 5xx are tried again", () => {
    expect(judge(answered(204), 10_000)).toEqual({ ok: true, status: 204 });
    expect(judge({ kind: "timeout" }, 10_000)).toMatchObject({ ok: false, retry: true, error: "no answer within 10 s" });
    expect(judge({ kind: "unreachable", detail: "connection refused" }, 10_000)).toMatchObject({ retry: true, error: "connection refused" });
    for (const status of [408, 429, 500, 502, 503]) expect(judge(answered(status), 1000)).toMatchObject({ ok: false, retry: true });
  });

  test("other answers are final, and say what the receiver said", () => {
    expect(judge(answered(404, "no_service\nmore"), 1000)).toEqual({ ok: false, error: "HTTP 404: no_service", retry: false, retryAfterMs: null });
    expect(judge(answered(400, "invalid_payload"), 1000)).toMatchObject({ retry: false });
    expect(judge(answered(301), 1000)).toMatchObject({ retry: false, error: "HTTP 301 (a redirect: give the final URL)" });
  });
});

describe("a delivery", () => {
  test("a receiver that fails twice gets the message on the third attempt, after the scheduled waits", async () => {
    const { delivery, waits, seen } = await run([answered(503, "busy"), { kind: "timeout" }, answered(200)]);
    expect(delivery).toEqual({ delivered: true, attempts: 3, error: null });
    expect(waits).toEqual([5000, 10_000]);
    expect(seen).toEqual(["1:HTTP 503: busy:retry", "2:no answer within 10 s:retry", "3:ok:stop"]);
  });

  test("gives up after the last attempt with its error", async () => {
    const { delivery, waits, sent } = await run([{ kind: "unreachable", detail: "connection refused" }]);
    expect(delivery).toEqual({ delivered: false, attempts: 5, error: "connection refused" });
    expect(sent).toBe(5);
    expect(waits).toEqual([5000, 10_000, 20_000, 40_000]);
  });

  test("a final answer stops at once", async () => {
    const { delivery, waits, sent } = await run([answered(404, "gone")]);
    expect(delivery).toEqual({ delivered: false, attempts: 1, error: "HTTP 404: gone" });
    expect([sent, waits]).toEqual([1, []]);
  });

  test("Retry-After lengthens a wait, but never past the schedule's longest", async () => {
    const { waits } = await run([answered(429, "", 30_000), answered(429, "", 3_600_000), answered(200)]);
    expect(waits).toEqual([30_000, 40_000]);
  });

  test("a sender that throws counts as a failed attempt, not a crash", async () => {
    let calls = 0;
    const delivery = await deliver({
      send: async () => {
        if (calls++ === 0) throw new Error("boom");
        return answered(200);
      },
      policy: POLICY,
      sleep: async () => {},
      onAttempt: () => {},
    });
    expect(delivery).toEqual({ delivered: true, attempts: 2, error: null });
  });
});
