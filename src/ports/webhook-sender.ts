/** One HTTP POST to a receiver, bounded by a timeout. */
export interface WebhookRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
}

/**
 * What came of it: an answer (any status), no answer in time, or no connection. `detail`
 * says why in a few words and never quotes the URL.
 */
export type WebhookResult =
  | { kind: "answered"; status: number; body: string; retryAfterMs: number | null }
  | { kind: "timeout" }
  | { kind: "unreachable"; detail: string };

export interface WebhookSender {
  post(request: WebhookRequest): Promise<WebhookResult>;
}
