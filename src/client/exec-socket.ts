import type { ExecRequest } from "../ports/runtime.ts";

/** Where `berth exec` runs, and how: the runtime's request, as the CLI sends it. */
export type ExecTarget = ExecRequest;

/**
 * Opens the API's exec websocket (see api/routes/exec.ts for the frames). The bearer token
 * goes in the upgrade request's header, so it is checked like any other /api call.
 */
export function openExecSocket(connection: { url: string; token: string }, target: ExecTarget): WebSocket {
  const base = connection.url.replace(/\/$/, "").replace(/^http/, "ws");
  const path = ["projects", target.project, "environments", target.environment, "blocks", target.block, "exec"].map(encodeURIComponent).join("/");
  const query = new URLSearchParams({ replica: String(target.replica), tty: target.tty ? "1" : "0", command: JSON.stringify(target.command) });
  // Bun's WebSocket takes headers; the browser's does not, which is why the console has no exec.
  const socket = new WebSocket(`${base}/api/${path}?${query}`, { headers: { Authorization: `Bearer ${connection.token}` } } as unknown as string[]);
  socket.binaryType = "arraybuffer";
  return socket;
}
