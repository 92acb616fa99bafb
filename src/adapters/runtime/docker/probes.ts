import net from "node:net";

const PROBE_TIMEOUT_MS = 2000;

/** null when the URL answers 2xx or 3xx, else what went wrong in a few words. */
export async function httpProbe(url: string): Promise<string | null> {
  try {
    const response = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    await response.body?.cancel();
    return response.status >= 200 && response.status < 400 ? null : `answered HTTP ${response.status}`;
  } catch (error) {
    return describe(error);
  }
}

/**
 * null when a TCP connection opens. Probe the container's own address, not the published port:
 * docker-proxy accepts on the published port even when nothing listens inside.
 */
export function tcpProbe(host: string, port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (result: string | null) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(PROBE_TIMEOUT_MS, () => done("timed out"));
    socket.once("connect", () => done(null));
    socket.once("error", (error) => done(describe(error)));
  });
}

function describe(error: unknown): string {
  const e = error as { code?: string; name?: string; message?: string } | null;
  if (e?.name === "TimeoutError") return "timed out";
  if (e?.code === "ECONNREFUSED" || e?.code === "ConnectionRefused") return "connection refused";
  if (e?.code === "ECONNRESET" || e?.code === "ConnectionClosed") return "connection reset";
  return e?.code ?? e?.message?.split("\n")[0] ?? String(error);
}
