import { connect, type Socket } from "node:net";
import { createServer, type SecureContext, type TLSSocket } from "node:tls";
import { listenAddress } from "../config.ts";

/** What the HTTPS side knows about a connection that the plain HTTP server behind it does not. */
export interface TlsConnection {
  /** The client's address as the TLS listener saw it. */
  peer: string;
  /** The name the client asked for in SNI, if any. */
  serverName: string | null;
}

export interface TlsFront {
  port: number;
  /** The TLS connection behind a connection to the inner HTTP server, by that connection's source port. */
  connection(innerPort: number): TlsConnection | undefined;
  stop(): void;
}

export interface TlsFrontOptions {
  listen: string;
  fallback: { cert: string; key: string };
  contextFor(serverName: string): SecureContext | undefined;
  /** The inner HTTP server on loopback that serves what the TLS connections carry. */
  innerPort: number;
  log: (line: string) => void;
}

/**
 * The HTTPS listener: node:tls terminates TLS, choosing each handshake's certificate by SNI from
 * the live table (so a new or renewed certificate needs no restart and drops no connection; Bun's
 * own `tls` option is fixed when the listener opens), and pipes the plain bytes to the edge's
 * inner HTTP server, which handles requests and websockets like the HTTP listener does.
 * The inner connection's source port maps back to the client's address and SNI name.
 */
export function startTlsFront(options: TlsFrontOptions): Promise<TlsFront> {
  const byPort = new Map<number, TlsConnection>();
  const server = createServer(
    {
      ...options.fallback,
      minVersion: "TLSv1.2",
      SNICallback: (name, done) => {
        try {
          done(null, options.contextFor(name));
        } catch (error) {
          done(error as Error, undefined);
        }
      },
    },
    (client: TLSSocket) => {
      const serverName = typeof client.servername === "string" && client.servername ? client.servername : null;
      const peer = client.remoteAddress ?? "";
      const inner: Socket = connect({ host: "127.0.0.1", port: options.innerPort });
      let port = 0;
      const forget = () => port && byPort.delete(port);
      inner.once("connect", () => {
        port = inner.localPort ?? 0;
        byPort.set(port, { peer, serverName });
        client.pipe(inner);
        inner.pipe(client);
      });
      // A broken side aborts the other; a side that closes cleanly lets the other finish what it
      // was sending (end, not destroy, so a response still buffered reaches the client whole).
      client.on("error", () => inner.destroy());
      inner.on("error", () => client.destroy());
      client.on("close", () => (forget(), inner.destroy()));
      inner.on("close", () => (forget(), client.end()));
    },
  );
  server.on("tlsClientError", () => {}); // scanners and old clients: nothing worth a log line each
  const { hostname, port } = listenAddress(options.listen);
  return new Promise((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => reject(new Error(`edge: cannot listen on ${options.listen} (https): ${error.code === "EADDRINUSE" ? "address already in use" : error.message}`)));
    // Shared like the HTTP port: an upgrade starts the new edge here before the old one stops accepting.
    server.listen({ port, host: hostname, reusePort: true }, () => {
      const address = server.address();
      resolve({
        port: typeof address === "object" && address ? address.port : port,
        connection: (innerPort) => byPort.get(innerPort),
        stop: () => server.close(),
      });
    });
  });
}
