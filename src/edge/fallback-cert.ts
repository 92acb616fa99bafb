import * as x509 from "@peculiar/x509";

const ALGORITHM = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const DAY = 86_400_000;

/**
 * A self-signed certificate for TLS clients whose server name has no certificate here (or who
 * send none): the handshake completes and the usual 404 follows, and no site's real
 * certificate is ever shown for a name it does not cover. Made afresh at each start.
 */
export async function fallbackCertificate(): Promise<{ cert: string; key: string }> {
  const keys = await crypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"]);
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    { serialNumber: Date.now().toString(16), name: "CN=berth edge fallback", notBefore: new Date(Date.now() - DAY), notAfter: new Date(Date.now() + 3650 * DAY), keys, signingAlgorithm: ALGORITHM },
    crypto,
  );
  const key = x509.PemConverter.encode(await crypto.subtle.exportKey("pkcs8", keys.privateKey), "PRIVATE KEY");
  return { cert: cert.toString("pem"), key };
}
