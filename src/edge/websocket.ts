import type { Server, ServerWebSocket, WebSocketHandler } from "bun";
import { stoppedPage, text } from "./responses.ts";
import type { Route } from "./route-table.ts";

type Message = string | Buffer | ArrayBuffer | Uint8Array;

/** One client socket and its upstream twin; the upstream's first messages wait in `early` until the client is open. */
export interface Relay {
  upstream: WebSocket;
  client: ServerWebSocket<Relay> | null;
  early: Message[];
}

// The handshake of the client's connection, rebuilt by the WebSocket client for the upstream one.
const HANDSHAKE = ["sec-websocket-key", "sec-websocket-version", "sec-websocket-extensions", "sec-websocket-protocol"];

/** Close codes a peer may not send itself (1005, 1006, 1015) become a normal or an error close. */
const sendableCode = (code: number) => (code === 1000 || (code >= 3000 && code <= 4999) || (code >= 1001 && code <= 1014 && code !== 1005 && code !== 1006) ? code : code === 1005 ? 1000 : 1011);

// The DOM lib's WebSocket type hides Bun's constructor overload that takes headers.
const UpstreamSocket = WebSocket as unknown as new (url: string, options: Bun.WebSocketOptions) => WebSocket;

function connectUpstream(url: string, headers: Headers, protocols: string[], timeoutMs: number): Promise<{ socket: WebSocket; early: Message[] } | null> {
  return new Promise((resolve) => {
    // No compression on loopback: it would only cost CPU on both ends.
    const socket = new UpstreamSocket(url, { headers, protocols, perMessageDeflate: false });
    socket.binaryType = "arraybuffer";
    const early: Message[] = [];
    socket.onmessage = (event) => early.push(event.data as Message);
    const timer = setTimeout(() => (socket.close(), resolve(null)), timeoutMs);
    socket.onopen = () => (clearTimeout(timer), resolve({ socket, early }));
    socket.onerror = () => (clearTimeout(timer), resolve(null));
  });
}

/**
 * `headers` is a copy already rewritten for forwarding (the request's own still carry the handshake).
 * Upgrades the client only once the upstream accepted, so a dead upstream is a plain 502 and the
 * client gets the subprotocol the upstream chose. Auth has already run: the caller checks first.
 */
export async function upgradeWebSocket(req: Request, server: Server<Relay>, route: Route, target: string, headers: Headers, timeoutMs: number): Promise<Response | undefined> {
  const count = route.upstreams.length;
  if (count === 0) return text(503, stoppedPage(route));
  const protocols = (req.headers.get("sec-websocket-protocol") ?? "").split(",").map((p) => p.trim()).filter(Boolean);
  for (const name of HANDSHAKE) headers.delete(name);

  const first = route.next;
  route.next = first + 1 >= count ? 0 : first + 1;
  const url = (i: number) => `ws${route.upstreams[i]!.origin.slice(4)}${target}`;
  const connected = (await connectUpstream(url(first), headers, protocols, timeoutMs)) ?? (await connectUpstream(url(first + 1 >= count ? 0 : first + 1), headers, protocols, timeoutMs));
  if (!connected) return text(502, `${route.block} is not reachable`);

  const upstream = connected.socket;
  const relay: Relay = { upstream, client: null, early: connected.early };
  const upgraded = server.upgrade(req, { data: relay, headers: upstream.protocol ? { "sec-websocket-protocol": upstream.protocol } : undefined });
  if (!upgraded) {
    upstream.close();
    return text(400, "not a websocket handshake");
  }
  upstream.onmessage = (event) => (relay.client ? relay.client.send(event.data as Message) : relay.early.push(event.data as Message));
  upstream.onclose = (event) => relay.client?.close(sendableCode(event.code), event.reason);
  upstream.onerror = () => relay.client?.close(1011, "upstream error");
  return undefined;
}

/** Bun.serve's `websocket` option: relays client → upstream and closes both sides together. */
export const relayHandlers: WebSocketHandler<Relay> = {
  open(ws) {
    ws.data.client = ws;
    for (const message of ws.data.early) ws.send(message);
    ws.data.early.length = 0;
    // The upstream may have gone away between its open and ours.
    if (ws.data.upstream.readyState >= WebSocket.CLOSING) ws.close(1011, "upstream closed");
  },
  message(ws, message) {
    if (ws.data.upstream.readyState === WebSocket.OPEN) ws.data.upstream.send(message);
  },
  close(ws, code, reason) {
    ws.data.client = null;
    if (ws.data.upstream.readyState <= WebSocket.OPEN) ws.data.upstream.close(sendableCode(code), reason);
  },
};
