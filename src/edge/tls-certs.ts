import { createSecureContext, type SecureContext } from "node:tls";
import { createSecretBox } from "../adapters/crypto/secret-box.ts";
import { normalizeHost, type CertEntry, type RouteTable } from "./route-table.ts";

/**
 * The certificate for a TLS client's server name: an exact, unexpired match or nothing (the
 * caller then serves the self-signed fallback). Never another site's certificate.
 */
export function selectCertificate(certs: ReadonlyMap<string, CertEntry>, serverName: string | null | undefined, now: number): CertEntry | null {
  if (!serverName) return null;
  const cert = certs.get(normalizeHost(serverName));
  return cert && cert.notAfter > now ? cert : null;
}

/**
 * TLS contexts per host, built on first use from the table's certificates (keys opened with the
 * install's secret key) and rebuilt when a certificate changes: a renewed certificate is served
 * from the next handshake on, and open connections keep the context they started with.
 */
export function createTlsContexts(masterKey: () => Buffer | null, log: (line: string) => void) {
  const cache = new Map<string, { pem: string; context: SecureContext }>();
  return {
    contextFor(table: RouteTable, serverName: string | null | undefined): SecureContext | undefined {
      const cert = selectCertificate(table.certs, serverName, Date.now());
      if (!cert) return undefined;
      const host = normalizeHost(serverName!);
      const cached = cache.get(host);
      if (cached && cached.pem === cert.certPem) return cached.context;
      const key = masterKey();
      if (!key) return undefined;
      try {
        const context = createSecureContext({ cert: cert.certPem, key: createSecretBox(key).open(cert.keySealed), minVersion: "TLSv1.2" });
        cache.set(host, { pem: cert.certPem, context });
        return context;
      } catch (error) {
        log(`edge: certificate of ${host} unusable: ${(error as Error).message.split("\n")[0]}`);
        return undefined;
      }
    },
  };
}
