import type { WebhookRequest, WebhookResult, WebhookSender } from "../../ports/webhook-sender.ts";

/** Enough of an answer's body to say why it refused ("invalid_payload", "no_service"). */
const BODY_KEPT = 4096;

/** Connection errors in a few words; the runtime's own messages may quote the URL. */
const CAUSES: Record<string, string> = {
  ConnectionRefused: "connection refused",
  ECONNREFUSED: "connection refused",
  ConnectionClosed: "connection closed before an answer",
  ECONNRESET: "connection reset before an answer",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host not found (DNS lookup failed)",
  FailedToOpenSocket: "could not open a connection",
  ETIMEDOUT: "connection timed out",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
};

function retryAfterMs(header: string | null, now = Date.now()): number | null {
  if (!header) return null;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

async function readSome(response: Response): Promise<string> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < BODY_KEPT) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.length;
  }
  await reader.cancel().catch(() => {});
  return new TextDecoder().decode(Buffer.concat(chunks).subarray(0, BODY_KEPT));
}

const describe = (error: unknown): string => {
  const e = error as { code?: string; name?: string; message?: string };
  if (e.code && CAUSES[e.code]) return CAUSES[e.code]!;
  if (e.code && /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY/i.test(e.code)) return `TLS: ${e.code}`;
  // The caller removes the URL from this text before anyone sees it.
  const said = e.message?.split("\n")[0]?.slice(0, 200);
  return [e.code, said].filter(Boolean).join(": ") || "could not send";
};

/** POSTs with fetch: no redirects followed (a POST turned GET elsewhere is not a delivery), a timeout over the whole exchange. */
export function createWebhookSender(): WebhookSender {
  return {
    async post(request: WebhookRequest): Promise<WebhookResult> {
      const signal = AbortSignal.timeout(request.timeoutMs);
      try {
        const response = await fetch(request.url, { method: "POST", body: request.body, headers: request.headers, redirect: "manual", signal });
        const body = await readSome(response);
        return { kind: "answered", status: response.status, body, retryAfterMs: retryAfterMs(response.headers.get("retry-after")) };
      } catch (error) {
        if (signal.aborted || (error as Error).name === "TimeoutError") return { kind: "timeout" };
        return { kind: "unreachable", detail: describe(error) };
      }
    },
  };
}
