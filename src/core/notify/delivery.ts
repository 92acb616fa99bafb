import type { WebhookResult } from "../../ports/webhook-sender.ts";

/** How hard Berth tries to reach one receiver with one message. */
export interface RetryPolicy {
  attempts: number;
  /** The wait before the second attempt; each later wait is twice the one before. */
  firstDelayMs: number;
  /** Each attempt's bound: no answer by then is a failed attempt. */
  timeoutMs: number;
}

/** The waits before attempts 2…n: 5s, 10s, 20s, 40s for five attempts from 5s. */
export const retryDelays = (policy: Pick<RetryPolicy, "attempts" | "firstDelayMs">): number[] =>
  Array.from({ length: Math.max(0, policy.attempts - 1) }, (_, i) => policy.firstDelayMs * 2 ** i);

/** The longest one delivery can take: every attempt timing out, every wait served. */
export const deliveryBoundMs = (policy: RetryPolicy) => policy.attempts * policy.timeoutMs + retryDelays(policy).reduce((a, b) => a + b, 0);

export type AttemptOutcome =
  | { ok: true; status: number }
  | { ok: false; error: string; retry: boolean; retryAfterMs: number | null };

const firstLine = (text: string) => text.split("\n").map((l) => l.trim()).find(Boolean)?.slice(0, 200) ?? "";

/**
 * 2xx is delivered. No answer, no connection, 408, 429 and 5xx may pass: try again. Any other
 * answer (a removed webhook's 404, a 400 for a payload the receiver does not take, a redirect)
 * will not change by retrying.
 */
export function judge(result: WebhookResult, timeoutMs: number): AttemptOutcome {
  if (result.kind === "timeout") return { ok: false, error: `no answer within ${timeoutMs / 1000} s`, retry: true, retryAfterMs: null };
  if (result.kind === "unreachable") return { ok: false, error: result.detail, retry: true, retryAfterMs: null };
  if (result.status >= 200 && result.status < 300) return { ok: true, status: result.status };
  const said = firstLine(result.body);
  const error = `HTTP ${result.status}${result.status >= 300 && result.status < 400 ? " (a redirect: give the final URL)" : ""}${said ? `: ${said}` : ""}`;
  const retry = result.status === 408 || result.status === 429 || result.status >= 500;
  return { ok: false, error, retry, retryAfterMs: result.retryAfterMs };
}

export interface Delivery {
  delivered: boolean;
  attempts: number;
  error: string | null;
}

/**
 * Sends until delivered, a final answer, or the attempts run out, waiting the schedule between
 * tries (longer when the receiver asks with Retry-After, never past the schedule's longest wait,
 * so the whole stays bounded). `onAttempt` hears each outcome and whether another try follows.
 */
export async function deliver(options: {
  send: () => Promise<WebhookResult>;
  policy: RetryPolicy;
  sleep: (ms: number) => Promise<void>;
  onAttempt: (attempt: number, outcome: AttemptOutcome, willRetry: boolean) => void;
}): Promise<Delivery> {
  const { policy } = options;
  const delays = retryDelays(policy);
  const longest = delays.at(-1) ?? 0;
  for (let attempt = 1; ; attempt++) {
    let outcome: AttemptOutcome;
    try {
      outcome = judge(await options.send(), policy.timeoutMs);
    } catch (error) {
      outcome = { ok: false, error: `could not send: ${firstLine((error as Error).message)}`, retry: true, retryAfterMs: null };
    }
    const willRetry = !outcome.ok && outcome.retry && attempt < policy.attempts;
    options.onAttempt(attempt, outcome, willRetry);
    if (outcome.ok) return { delivered: true, attempts: attempt, error: null };
    if (!willRetry) return { delivered: false, attempts: attempt, error: outcome.error };
    const scheduled = delays[attempt - 1]!;
    await options.sleep(Math.max(scheduled, Math.min(outcome.retryAfterMs ?? 0, longest)));
  }
}
